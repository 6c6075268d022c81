/**
 * Walks the chain and reports the first record that does not fit: content changed, a record
 * missing, inserted or moved, or a head or anchor that disagrees with the table.
 *
 * @module
 */
import type { Queryable } from '../db/pool.ts';
import { consistentRead } from '../db/transaction.ts';
import type { Anchor } from './anchor.ts';
import { GENESIS_HASH, recordHash } from './chain.ts';
import type { AuditRecord } from './events.ts';
import { archiveRanges, chainHead, recordsAfter } from './records.ts';
import { sealAudit } from './seal.ts';

/**
 * Queued records older than this mean sealing has stopped (every commit that queues records seals
 * them within a moment, and reads seal first): verification fails rather than vouch for a chain
 * that is missing committed records.
 */
export const STALE_UNSEALED_SECONDS = 60;

export interface BadRecord {
  seq: number;
  reason: string;
}

export interface VerifyResult {
  ok: boolean;
  /** Records checked. */
  records: number;
  /** Sequence number the walk started after (the archive boundary, 0 from the genesis). */
  fromSeq: number;
  headSeq: number;
  anchorsChecked: number;
  /** Records committed but not yet sealed into the chain (audit_inbox), as of the snapshot. */
  unsealed: number;
  firstBadRecord?: BadRecord;
}

export interface VerifyOptions {
  anchors?: Anchor[];
  batchSize?: number;
  onProgress?: (checked: number, headSeq: number) => void;
}

/** Check one record against what the chain expects at this point; `undefined` when it fits. */
export function checkRecord(record: AuditRecord, expectedSeq: number, expectedPrevHash: string): string | undefined {
  if (record.seq !== expectedSeq) {
    return record.seq > expectedSeq ? `records ${expectedSeq}..${record.seq - 1} are missing` : `unexpected sequence number (expected ${expectedSeq})`;
  }
  if (record.prevHash !== expectedPrevHash) return 'previous-hash link broken (a record was removed, inserted or moved)';
  if (recordHash(record.prevHash, record.seq, record) !== record.hash) return 'content does not match its hash (record altered)';
  return undefined;
}

/**
 * Verify the chain as of one snapshot: in a read-only repeatable-read transaction of its own when
 * given a pool (after sealing what is queued), so appends and retention running meanwhile are
 * neither seen half-way nor reported as records removed; inside the caller's transaction when
 * given one.
 */
export async function verifyChain(sql: Queryable, options: VerifyOptions = {}): Promise<VerifyResult> {
  if ('begin' in sql) {
    await sealAudit(sql);
    return consistentRead(sql, (tx) => walkChain(tx, options));
  }
  return walkChain(sql, options);
}

async function walkChain(sql: Queryable, options: VerifyOptions): Promise<VerifyResult> {
  const batchSize = options.batchSize ?? 5000;
  const archives = await archiveRanges(sql);
  const boundary = archives.at(-1);
  const head = await chainHead(sql);
  const [inbox] = await sql<{ unsealed: number; stale: number }[]>`
    select count(*)::int4 as unsealed,
      count(*) filter (where queued_at < now() - make_interval(secs => ${STALE_UNSEALED_SECONDS}))::int4 as stale
    from audit_inbox`;
  const unsealed = inbox?.unsealed ?? 0;
  const fromSeq = boundary?.lastSeq ?? 0;
  let expectedSeq = fromSeq + 1;
  let expectedPrev = boundary?.lastHash ?? GENESIS_HASH;
  let records = 0;
  const anchorsBySeq = new Map((options.anchors ?? []).map((a) => [a.seq, a]));
  let anchorsChecked = 0;
  const result = (bad?: BadRecord): VerifyResult => ({
    ok: bad === undefined,
    records,
    fromSeq,
    headSeq: head.seq,
    anchorsChecked,
    unsealed,
    ...(bad ? { firstBadRecord: bad } : {}),
  });

  // The archived ranges must follow on from each other from the genesis, and agree with any
  // anchor at their ends: the walk below starts from the last one's word.
  let archivedUpTo = 0;
  let archivedHash = GENESIS_HASH;
  for (const archive of archives) {
    if (archive.firstSeq !== archivedUpTo + 1 || archive.firstPrevHash !== archivedHash) {
      return result({ seq: archivedUpTo + 1, reason: `archive registry broken: the archive of ${archive.firstSeq}..${archive.lastSeq} does not continue the chain at ${archivedUpTo}` });
    }
    const anchor = anchorsBySeq.get(archive.lastSeq);
    if (anchor) {
      anchorsChecked++;
      if (anchor.hash !== archive.lastHash) return result({ seq: archive.lastSeq, reason: 'archive boundary disagrees with the anchor' });
    }
    archivedUpTo = archive.lastSeq;
    archivedHash = archive.lastHash;
  }

  let after = fromSeq;
  for (;;) {
    const batch = await recordsAfter(sql, after, batchSize);
    for (const record of batch) {
      const problem = checkRecord(record, expectedSeq, expectedPrev);
      if (problem) return result({ seq: problem.startsWith('records ') ? expectedSeq : record.seq, reason: problem });
      const anchor = anchorsBySeq.get(record.seq);
      if (anchor) {
        anchorsChecked++;
        if (anchor.hash !== record.hash) return result({ seq: record.seq, reason: 'record disagrees with the external anchor (chain recomputed)' });
      }
      records++;
      expectedSeq++;
      expectedPrev = record.hash;
    }
    if (batch.length) {
      after = batch[batch.length - 1]!.seq;
      options.onProgress?.(records, head.seq);
    }
    if (batch.length < batchSize) break;
  }

  const lastSeq = expectedSeq - 1;
  if (head.seq !== lastSeq || head.hash !== expectedPrev) {
    return result({ seq: Math.min(head.seq, lastSeq) + 1, reason: `head (${head.seq}) disagrees with the last record (${lastSeq}): records removed at the end` });
  }
  const beyond = [...anchorsBySeq.values()].find((a) => a.seq > lastSeq);
  if (beyond) return result({ seq: lastSeq + 1, reason: `anchor at ${beyond.seq} is past the last record: records removed at the end` });
  if (inbox?.stale) return result({ seq: lastSeq + 1, reason: `${inbox.stale} committed records have waited more than ${STALE_UNSEALED_SECONDS} s to be sealed into the chain` });
  return result();
}
