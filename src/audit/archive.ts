/**
 * Archiving old audit records (retention): the oldest records go, in chain order, to a gzipped
 * JSONL file whose first line states the range and the hashes at both ends; then the one deletion
 * path the database allows (`audit_archive_range`, migration 0060) checks the range against the
 * chain and the retention it enforces, registers it and removes it, in the same transaction as
 * its own audit record. Verification of what stays starts from the archive boundary; an archive
 * verifies on its own.
 *
 * @module
 */
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readFile, rename } from 'node:fs/promises';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { createGunzip, createGzip } from 'node:zlib';
import type { Sql } from '../db/pool.ts';
import { transaction } from '../db/transaction.ts';
import type { AuditLog } from './append.ts';
import { GENESIS_HASH } from './chain.ts';
import type { AuditRecord } from './events.ts';
import { archiveBoundary, recordsAfter } from './records.ts';
import { type BadRecord, checkRecord } from './verify.ts';

export interface ArchiveHeader {
  kind: 'breeze-trader audit archive';
  firstSeq: number;
  lastSeq: number;
  firstPrevHash: string;
  lastHash: string;
  records: number;
  createdAt: string;
}

export interface ArchiveResult {
  archived: number;
  file?: string | undefined;
  firstSeq?: number | undefined;
  lastSeq?: number | undefined;
}

/** Archive and remove records that occurred before `cutoff` (at most `maxRecords` per call). */
export async function archiveAuditBefore(sql: Sql, audit: AuditLog, dir: string, cutoff: Date, maxRecords = 100_000): Promise<ArchiveResult> {
  const boundary = await archiveBoundary(sql);
  const start = boundary?.lastSeq ?? 0;
  const [last] = await sql<{ seq: number | null }[]>`
    select max(seq) as seq from (select seq from audit_events where seq > ${start} and occurred_at < ${cutoff} order by seq limit ${maxRecords}) s`;
  // Only a contiguous prefix can leave: stop before the first record that is still young.
  const [young] = await sql<{ seq: number | null }[]>`select min(seq) as seq from audit_events where seq > ${start} and occurred_at >= ${cutoff}`;
  const upTo = Math.min(last?.seq ?? start, young?.seq != null ? young.seq - 1 : Number.MAX_SAFE_INTEGER);
  if (upTo <= start) return { archived: 0 };

  const records: AuditRecord[] = [];
  for (let after = start; after < upTo; ) {
    const batch = (await recordsAfter(sql, after, 5000)).filter((r) => r.seq <= upTo);
    if (!batch.length) break;
    records.push(...batch);
    after = batch[batch.length - 1]!.seq;
  }
  const first = records[0]!;
  const final = records[records.length - 1]!;
  const header: ArchiveHeader = {
    kind: 'breeze-trader audit archive',
    firstSeq: first.seq,
    lastSeq: final.seq,
    firstPrevHash: first.prevHash,
    lastHash: final.hash,
    records: records.length,
    createdAt: new Date().toISOString(),
  };
  await mkdir(dir, { recursive: true });
  const file = path.join(dir, `audit-archive-${String(first.seq).padStart(12, '0')}-${String(final.seq).padStart(12, '0')}.jsonl.gz`);
  const lines = [header, ...records].map((r) => `${JSON.stringify(r)}\n`);
  await pipeline(Readable.from(lines), createGzip(), createWriteStream(`${file}.partial`, { mode: 0o640 }));
  await rename(`${file}.partial`, file);
  const fileSha256 = createHash('sha256').update(await readFile(file)).digest('hex');

  await transaction(sql, async (tx) => {
    // The database checks the range against the chain and the retention it enforces, registers it and removes it.
    await tx`select audit_archive_range(${header.firstSeq}, ${header.lastSeq}, ${header.lastHash}, ${header.records}, ${path.basename(file)}, ${fileSha256})`;
    await audit.append(tx, {
      type: 'RETENTION_CLEANUP',
      actor: { type: 'system', id: 'retention' },
      payload: { what: 'audit_events', archived: header.records, firstSeq: header.firstSeq, lastSeq: header.lastSeq, file: path.basename(file), fileSha256, cutoff: cutoff.toISOString() },
    });
  });
  return { archived: records.length, file, firstSeq: header.firstSeq, lastSeq: header.lastSeq };
}

export interface ArchiveVerifyResult {
  ok: boolean;
  records: number;
  header?: ArchiveHeader;
  firstBadRecord?: BadRecord;
}

/** Verify an archive file alone: its chain from its first previous hash to its stated last hash. */
export async function verifyArchive(file: string): Promise<ArchiveVerifyResult> {
  const lines = createInterface({ input: createReadStream(file).pipe(createGunzip()), crlfDelay: Infinity });
  let header: ArchiveHeader | undefined;
  let expectedSeq = 0;
  let expectedPrev = GENESIS_HASH;
  let records = 0;
  try {
    for await (const line of lines) {
      if (!line.trim()) continue;
      if (!header) {
        header = JSON.parse(line) as ArchiveHeader;
        if (header.kind !== 'breeze-trader audit archive') return { ok: false, records, firstBadRecord: { seq: 0, reason: 'not an audit archive' } };
        expectedSeq = header.firstSeq;
        expectedPrev = header.firstPrevHash;
        continue;
      }
      const record = JSON.parse(line) as AuditRecord;
      const problem = checkRecord(record, expectedSeq, expectedPrev);
      if (problem) return { ok: false, records, header, firstBadRecord: { seq: problem.startsWith('records ') ? expectedSeq : record.seq, reason: problem } };
      records++;
      expectedSeq++;
      expectedPrev = record.hash;
    }
  } catch (err) {
    return { ok: false, records, ...(header ? { header } : {}), firstBadRecord: { seq: expectedSeq, reason: `unreadable archive: ${(err as Error).message}` } };
  }
  if (!header) return { ok: false, records, firstBadRecord: { seq: 0, reason: 'empty archive' } };
  if (records !== header.records || expectedPrev !== header.lastHash || expectedSeq - 1 !== header.lastSeq) {
    return { ok: false, records, header, firstBadRecord: { seq: expectedSeq, reason: 'archive does not end where its header says' } };
  }
  return { ok: true, records, header };
}
