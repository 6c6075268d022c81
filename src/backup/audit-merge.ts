/**
 * How a restore treats the audit trail: it never rewinds it.
 *
 * The audit log is append-only and hash-chained (ARCHITECTURE.md invariant 4), and its triggers
 * refuse TRUNCATE and DELETE even to the owner. A restore could disable those triggers for its
 * transaction and reload the table, but that would erase the record of everything that happened
 * after the backup — orders that really reached the broker, fills, the halt before the restore —
 * exactly what the people reconciling need, and exactly what an append-only log promises to keep.
 * So the restore rewinds the business tables and *merges* the audit trail, append-only:
 *
 * - this database has no audit trail yet (fresh, just migrated): the backup's records are loaded
 *   straight into the audit tables and the head moves to the backup's;
 * - the backup's chain extends this database's (a lagging database): the records after this
 *   database's head are appended from a staging copy and the head moves to the backup's;
 * - this database's chain extends the backup's (the usual rollback): nothing is removed; the
 *   records after the backup stay, followed by RESTORE_PERFORMED;
 * - the chains diverge (another system's backup, or an altered chain): the restore is refused.
 *   Restore into a fresh database instead, and investigate.
 *
 * Records the backup holds in `audit_inbox` (committed, not sealed yet when it was taken) are
 * sealed again after the merge unless this chain already has them (same event id): the restore
 * holds the chain's head throughout, having first sealed this database's own queued records.
 *
 * @module
 */
import type { TxSql } from '../db/pool.ts';
import { GENESIS_HASH } from '../audit/chain.ts';
import { AUDIT_HEAD_LOCK, sealAudit } from '../audit/seal.ts';
import type { Manifest } from './manifest.ts';

/** The audit tables: loaded into staging tables and merged, never truncated. */
export const AUDIT_TABLES = ['audit_events', 'audit_archives', 'audit_head', 'audit_inbox'] as const;

export function isAuditTable(name: string): boolean {
  return (AUDIT_TABLES as readonly string[]).includes(name);
}

export type AuditMergeMode = 'appended' | 'kept-newer' | 'identical';

export interface AuditMerge {
  mode: AuditMergeMode;
  /** Records appended from the backup. */
  appended: number;
  /** Records this database holds past the backup's head, kept. */
  keptAfterBackup: number;
  /** Records the backup held queued (not sealed yet) that were sealed into this chain now. */
  resealed?: number;
  headBefore: { seq: number; hash: string };
  headAfter: { seq: number; hash: string };
}

export class AuditChainDivergedError extends Error {
  override readonly name = 'AuditChainDivergedError';
}

/** Staging table names for the backup's audit rows (temporary, dropped at commit). */
export const staging = (table: string) => `restore_${table}`;

export async function createAuditStaging(tx: TxSql): Promise<void> {
  for (const table of ['audit_events', 'audit_archives'] as const) {
    await tx`create temp table ${tx(staging(table))} (like ${tx(table)} including defaults) on commit drop`;
  }
}

/**
 * Take the chain's head for the rest of the restore (no sealer may move it meanwhile) and seal
 * what this database has queued, so that nothing committed here is left behind the merge.
 */
export async function holdChainHead(tx: TxSql): Promise<void> {
  await tx`select pg_advisory_xact_lock(${AUDIT_HEAD_LOCK})`;
  await sealAudit(tx);
}

/** Staging for the backup's queued records (loaded in either case, sealed by {@link resealQueued}). */
export async function createInboxStaging(tx: TxSql): Promise<void> {
  await tx`create temp table ${tx(staging('audit_inbox'))} (like audit_inbox including defaults) on commit drop`;
}

/**
 * Seal the backup's queued records that this chain does not hold yet, in their queue order, after
 * the merge (under the head taken by {@link holdChainHead}, so audit_append seals them inline).
 */
export async function resealQueued(tx: TxSql): Promise<number> {
  const rows = await tx`
    select seq from audit_append(array(
      select s.tail from ${tx(staging('audit_inbox'))} s
      where not exists (select 1 from audit_events e where e.event_id = (('[' || s.tail)::jsonb->>0)::uuid)
      order by s.id))`;
  return rows.length;
}

/** The hash a chain carries at `seq`, looking in events and at archive boundaries. */
async function hashAt(tx: TxSql, events: string, archives: string, seq: number): Promise<string | undefined> {
  if (seq === 0) return GENESIS_HASH;
  const [event] = await tx<{ hash: string }[]>`select hash from ${tx(events)} where seq = ${seq}`;
  if (event) return event.hash;
  const [boundary] = await tx<{ hash: string }[]>`select last_hash as hash from ${tx(archives)} where last_seq = ${seq}`;
  return boundary?.hash;
}

/** True when this database has no audit trail yet (fresh, or just migrated). */
export async function auditTrailEmpty(tx: TxSql): Promise<boolean> {
  const [row] = await tx<{ empty: boolean }[]>`
    select (select seq from audit_head where id = 1) = 0
      and not exists (select 1 from audit_events) and not exists (select 1 from audit_archives) as empty`;
  return row?.empty ?? false;
}

/**
 * A fresh database: the backup's audit rows were loaded straight into the audit tables (no
 * staging, no second copy); check they end where the manifest says and move the head there.
 */
export async function adoptAuditTrail(tx: TxSql, manifest: Manifest, loaded: number): Promise<AuditMerge> {
  const headBefore = { seq: 0, hash: GENESIS_HASH };
  const backup = manifest.auditHead;
  if ((await hashAt(tx, 'audit_events', 'audit_archives', backup.seq)) !== backup.hash) {
    throw new AuditChainDivergedError(`the backup's audit rows do not end at its recorded head (${backup.seq})`);
  }
  await tx`update audit_head set seq = ${backup.seq}, hash = ${backup.hash} where id = 1`;
  return { mode: 'appended', appended: loaded, keptAfterBackup: 0, headBefore, headAfter: { seq: backup.seq, hash: backup.hash } };
}

/**
 * Merge the staged audit rows of the backup into the live tables (see the module comment). Call
 * after the staging tables were loaded, in the restore's transaction.
 */
export async function mergeAuditTrail(tx: TxSql, manifest: Manifest): Promise<AuditMerge> {
  const [current] = await tx<{ seq: number; hash: string }[]>`select seq, hash from audit_head where id = 1 for update`;
  if (!current) throw new Error('audit head row is missing');
  const backup = manifest.auditHead;
  const headBefore = { seq: current.seq, hash: current.hash };

  if (backup.seq <= current.seq) {
    const ours = await hashAt(tx, 'audit_events', 'audit_archives', backup.seq);
    if (ours !== backup.hash) {
      throw new AuditChainDivergedError(
        ours === undefined
          ? `the backup's audit head (${backup.seq}) is archived out of this database's chain and cannot be matched: restore into a fresh database`
          : `the backup's audit chain diverges from this database's at record ${backup.seq}: restore into a fresh database and investigate`,
      );
    }
    const mode: AuditMergeMode = backup.seq === current.seq ? 'identical' : 'kept-newer';
    return { mode, appended: 0, keptAfterBackup: current.seq - backup.seq, headBefore, headAfter: headBefore };
  }

  const theirs = await hashAt(tx, staging('audit_events'), staging('audit_archives'), current.seq);
  if (theirs !== current.hash) {
    throw new AuditChainDivergedError(`this database's audit chain (head ${current.seq}) is not a prefix of the backup's: restore into a fresh database and investigate`);
  }
  await tx`
    insert into audit_archives select * from ${tx(staging('audit_archives'))}
    where last_seq > coalesce((select max(last_seq) from audit_archives), 0) order by last_seq`;
  const inserted = await tx`insert into audit_events select * from ${tx(staging('audit_events'))} where seq > ${current.seq} order by seq`;
  await tx`update audit_head set seq = ${backup.seq}, hash = ${backup.hash} where id = 1`;
  return { mode: 'appended', appended: inserted.count, keptAfterBackup: 0, headBefore, headAfter: { seq: backup.seq, hash: backup.hash } };
}
