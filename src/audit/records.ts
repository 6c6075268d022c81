/**
 * Reading audit records back: the row mapping shared by verification, queries and archives.
 *
 * @module
 */
import type { Queryable } from '../db/pool.ts';
import type { AuditRecord } from './events.ts';

export interface AuditRow {
  seq: number;
  event_id: string;
  occurred_at: Date;
  event_type: string;
  severity: AuditRecord['severity'];
  category: string;
  actor_type: AuditRecord['actorType'];
  actor_id: string;
  account_id: string | null;
  trade_id: string | null;
  workflow_id: string | null;
  run_id: string | null;
  client_ip: string | null;
  request_id: string | null;
  payload: Record<string, unknown>;
  prev_hash: string;
  hash: string;
}

export function toRecord(row: AuditRow): AuditRecord {
  return {
    seq: row.seq,
    eventId: row.event_id,
    occurredAt: row.occurred_at.toISOString(),
    type: row.event_type,
    severity: row.severity,
    category: row.category,
    actorType: row.actor_type,
    actorId: row.actor_id,
    accountId: row.account_id,
    tradeId: row.trade_id,
    workflowId: row.workflow_id,
    runId: row.run_id,
    clientIp: row.client_ip,
    requestId: row.request_id,
    payload: row.payload,
    prevHash: row.prev_hash,
    hash: row.hash,
  };
}

/** Records after `afterSeq`, in chain order. */
export async function recordsAfter(sql: Queryable, afterSeq: number, limit: number): Promise<AuditRecord[]> {
  const rows = await sql<AuditRow[]>`select * from audit_events where seq > ${afterSeq} order by seq limit ${limit}`;
  return rows.map(toRecord);
}

export interface ArchiveBoundary {
  lastSeq: number;
  lastHash: string;
}

/** Where the records still in the table start: after the newest archive, or at the genesis. */
export async function archiveBoundary(sql: Queryable): Promise<ArchiveBoundary | undefined> {
  const [row] = await sql<{ lastSeq: number; lastHash: string }[]>`
    select last_seq as "lastSeq", last_hash as "lastHash" from audit_archives order by last_seq desc limit 1`;
  return row;
}

export interface ArchiveRange extends ArchiveBoundary {
  firstSeq: number;
  firstPrevHash: string;
}

/** Every archived range, oldest first (one row per retention run). */
export async function archiveRanges(sql: Queryable): Promise<ArchiveRange[]> {
  return sql<ArchiveRange[]>`
    select first_seq as "firstSeq", first_prev_hash as "firstPrevHash", last_seq as "lastSeq", last_hash as "lastHash"
    from audit_archives order by first_seq`;
}

export async function chainHead(sql: Queryable): Promise<{ seq: number; hash: string }> {
  const [row] = await sql<{ seq: number; hash: string }[]>`select seq, hash from audit_head where id = 1`;
  if (!row) throw new Error('audit head row is missing');
  return row;
}
