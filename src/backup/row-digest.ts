/**
 * A table's content checksum that does not depend on row order: COPY text has one row per line
 * (newlines inside values are escaped), so the digest is the row count plus the sum, modulo
 * 2^128, of the first 128 bits of each line's SHA-256. Any changed, missing or extra row changes
 * it; the backup computes it from the snapshot it writes, verification from the scratch database
 * it restored, and neither has to sort a table to do so.
 *
 * It detects corruption and mistakes, not a forger: the files' SHA-256 (and AES-GCM tags when
 * encrypted) and the audit hash chain are what resist deliberate tampering.
 *
 * @module
 */
import { hash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';

const NEWLINE = 0x0a;
/**
 * The server sends COPY output one row per message, so the driver's stream yields one small chunk
 * per row; every stage after this one would pay its per-chunk cost a million times for a million
 * rows. This stage passes the bytes on in batches of about this size instead.
 */
const BATCH_BYTES = 256 * 1024;

export class RowDigest extends Transform {
  rows = 0;
  bytes = 0;
  /** Four 32-bit lanes, most significant first. */
  private readonly lanes = new Uint32Array(4);
  private pending: Buffer | undefined;
  private batch: Buffer[] = [];
  private batchBytes = 0;
  private readonly onProgress: ((bytes: number) => void) | undefined;
  private lastReport = 0;

  constructor(onProgress?: (bytes: number) => void) {
    super();
    this.onProgress = onProgress;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    this.bytes += chunk.length;
    let start = 0;
    let data = chunk;
    if (this.pending) {
      data = Buffer.concat([this.pending, chunk]);
      this.pending = undefined;
    }
    for (let nl = data.indexOf(NEWLINE, start); nl !== -1; nl = data.indexOf(NEWLINE, start)) {
      this.add(data.subarray(start, nl));
      start = nl + 1;
    }
    if (start < data.length) this.pending = Buffer.from(data.subarray(start));
    if (this.onProgress && this.bytes - this.lastReport >= 8 << 20) {
      this.lastReport = this.bytes;
      this.onProgress(this.bytes);
    }
    this.batch.push(chunk);
    this.batchBytes += chunk.length;
    if (this.batchBytes >= BATCH_BYTES) this.pushBatch();
    done();
  }

  override _flush(done: TransformCallback): void {
    // COPY text ends every row with a newline; a tail without one is still a row, counted as such.
    if (this.pending?.length) this.add(this.pending);
    this.pending = undefined;
    this.pushBatch();
    done();
  }

  private pushBatch(): void {
    if (!this.batch.length) return;
    this.push(this.batch.length === 1 ? this.batch[0] : Buffer.concat(this.batch, this.batchBytes));
    this.batch = [];
    this.batchBytes = 0;
  }

  private add(line: Buffer): void {
    const h = hash('sha256', line, 'buffer');
    let carry = 0;
    for (let i = 3; i >= 0; i--) {
      const sum = this.lanes[i]! + h.readUInt32BE(i * 4) + carry;
      this.lanes[i] = sum >>> 0;
      carry = sum > 0xffffffff ? 1 : 0;
    }
    this.rows++;
  }

  /** The digest as hex (32 characters). */
  get digest(): string {
    return Array.from(this.lanes, (l) => l.toString(16).padStart(8, '0')).join('');
  }
}
