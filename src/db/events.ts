/**
 * Queries of `events`, the rows behind GET /events (docs/live-events.md). The rows are written
 * by triggers (src/db/migrations/0171_events.sql) in the transaction of the change they tell of.
 *
 * @module
 */
import type { Queryable } from './pool.ts';

export const EVENT_TYPES = ['trade', 'order', 'fill', 'pnl', 'trading-state', 'alert'] as const;
export type EventType = (typeof EVENT_TYPES)[number];

export interface EventRow {
  /** bigserial, as a string (it may pass 2^53). */
  id: string;
  accountId: string | null;
  type: EventType;
  tradeId: string | null;
  data: Record<string, unknown>;
  at: Date;
}

const columns = (sql: Queryable) => sql`id::text as id, account_id as "accountId", type, trade_id as "tradeId", data, at`;

/** Events by id (those a notification named), in id order. */
export async function eventsById(sql: Queryable, ids: string[]): Promise<EventRow[]> {
  if (!ids.length) return [];
  return sql<EventRow[]>`select ${columns(sql)} from events where id = any(${ids}::bigint[]) order by id`;
}

/** Every account's events after `afterId` (a listener that reconnected re-reads what it may have missed). */
export async function eventsAfter(sql: Queryable, afterId: string, limit = 1000): Promise<EventRow[]> {
  return sql<EventRow[]>`select ${columns(sql)} from events where id > ${afterId}::bigint order by id limit ${limit}`;
}

/** The account's events (and the system-wide ones) after `afterId`: what a client resuming with Last-Event-ID missed. */
export async function accountEventsAfter(sql: Queryable, accountId: string, afterId: string, limit = 1000): Promise<EventRow[]> {
  return sql<EventRow[]>`
    select ${columns(sql)} from events
    where (account_id = ${accountId} or account_id is null) and id > ${afterId}::bigint order by id limit ${limit}`;
}

/** The newest event's id ('0' when there is none). */
export async function lastEventId(sql: Queryable): Promise<string> {
  const [row] = await sql<{ id: string }[]>`select coalesce(max(id), 0)::text as id from events`;
  return row!.id;
}

/** Remove events older than `before` (the retention workflow): a client gone that long reloads instead. */
export async function purgeEventsBefore(sql: Queryable, before: Date): Promise<number> {
  const rows = await sql`delete from events where at < ${before}`;
  return rows.count;
}
