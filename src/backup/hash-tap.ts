/**
 * A pass-through that counts and hashes the bytes flowing by: the SHA-256 and size of a backup
 * file, computed as it is written and again as it is read back.
 *
 * @module
 */
import { createHash, type Hash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';

export class HashTap extends Transform {
  bytes = 0;
  private readonly hasher: Hash = createHash('sha256');
  private hex: string | undefined;

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    this.bytes += chunk.length;
    this.hasher.update(chunk);
    done(null, chunk);
  }

  override _flush(done: TransformCallback): void {
    this.hex = this.hasher.digest('hex');
    done();
  }

  /** The SHA-256 in hex, once the stream has ended. */
  get sha256(): string {
    if (this.hex === undefined) throw new Error('HashTap: the stream has not ended');
    return this.hex;
  }
}
