/**
 * Reading the audit trail: filtered, newest first, keyset-paginated by sequence number; and one
 * trade's events in order (enough to reconstruct the trade from the trail alone). Each seals what
 * is queued first, so a record committed before the read is never missing from it.
 *
 * @module
 */
import type { Queryable } from '../db/pool.ts';
import type { Severity } from '../domain/errors.ts';
import type { AuditRecord } from './events.ts';
import { type AuditRow, toRecord } from './records.ts';
import { sealBeforeRead } from './seal.ts';

export interface AuditFilter {
  accountId?: string | undefined;
  types?: string[] | undefined;
  severity?: Severity | undefined;
  actorId?: string | undefined;
  tradeId?: string | undefined;
  from?: Date | undefined;
  to?: Date | undefined;
  /** Keyset cursor: records with a smaller sequence number. */
  beforeSeq?: number | undefined;
  limit: number;
}

export async function listAudit(sql: Queryable, f: AuditFilter): Promise<AuditRecord[]> {
  await sealBeforeRead(sql);
  const rows = await sql<AuditRow[]>`
    select * from audit_events
    where true
      ${f.accountId ? sql`and (account_id = ${f.accountId} or account_id is null)` : sql``}
      ${f.types?.length ? sql`and event_type in ${sql(f.types)}` : sql``}
      ${f.severity ? sql`and severity = ${f.severity}` : sql``}
      ${f.actorId ? sql`and actor_id = ${f.actorId}` : sql``}
      ${f.tradeId ? sql`and trade_id = ${f.tradeId}` : sql``}
      ${f.from ? sql`and occurred_at >= ${f.from}` : sql``}
      ${f.to ? sql`and occurred_at < ${f.to}` : sql``}
      ${f.beforeSeq !== undefined ? sql`and seq < ${f.beforeSeq}` : sql``}
    order by seq desc
    limit ${f.limit}`;
  return rows.map(toRecord);
}

/** Every event of one trade, in the order they happened. */
export async function tradeTimeline(sql: Queryable, tradeId: string): Promise<AuditRecord[]> {
  await sealBeforeRead(sql);
  const rows = await sql<AuditRow[]>`select * from audit_events where trade_id = ${tradeId} order by seq`;
  return rows.map(toRecord);
}
