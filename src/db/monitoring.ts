/**
 * Aggregate reads for monitoring: the day's orders by status, risk rejections by rule, realized
 * P&L (gross and net), open reconciliation mismatches and the audit head. Each is one statement
 * over an indexed range, so a scrape costs a handful of queries however many metrics it exposes.
 *
 * @module
 */
import type { Queryable } from './pool.ts';
import { partialGross } from './trades.ts';

export interface RealizedToday {
  accountId: string;
  grossPaise: number;
  netPaise: number;
  closedTrades: number;
}

/** Realized P&L since `since` (the IST day start), per account: closed trades and partial exits of open ones. */
export async function realizedByAccount(sql: Queryable, since: Date): Promise<RealizedToday[]> {
  return sql<RealizedToday[]>`
    select account_id as "accountId",
      coalesce(sum(case when status = 'CLOSED' then gross_pnl_paise else ${partialGross(sql)} end), 0)::int8 as "grossPaise",
      coalesce(sum(case when status = 'CLOSED' then realized_pnl_paise else ${partialGross(sql)} end), 0)::int8 as "netPaise",
      count(*) filter (where status = 'CLOSED')::int8 as "closedTrades"
    from trades
    where (status = 'CLOSED' and closed_at >= ${since}) or (status in ('OPEN', 'EXITING') and exited_quantity > 0 and updated_at >= ${since})
    group by account_id`;
}

/** Broker legs created since `since`, counted by status. */
export async function ordersByStatus(sql: Queryable, since: Date): Promise<{ status: string; count: number }[]> {
  return sql<{ status: string; count: number }[]>`
    select status, count(*)::int8 as count from orders where created_at >= ${since} group by status order by status`;
}

/** Trades refused by the risk check since `since`, counted by the rule each violation names. */
export async function rejectionsByRule(sql: Queryable, since: Date): Promise<{ rule: string; count: number }[]> {
  return sql<{ rule: string; count: number }[]>`
    select v->>'rule' as rule, count(*)::int8 as count
    from trades, jsonb_array_elements(coalesce(violations, '[]'::jsonb)) as v
    where status = 'REJECTED' and created_at >= ${since} and violations is not null
    group by 1 order by 1`;
}

export interface ReconciliationStatus {
  /** A mismatch was audited after the last resolution. */
  open: boolean;
  lastMismatchAt: Date | null;
  mismatchesSince: number;
}

/**
 * Reconciliation as the audit trail tells it: open while the newest RECONCILIATION_MISMATCH is
 * newer than the newest RECONCILIATION_RESOLVED (both found through the (event_type, seq) index).
 */
export async function reconciliationStatus(sql: Queryable, since: Date): Promise<ReconciliationStatus> {
  const [row] = await sql<{ mismatchSeq: number | null; resolvedSeq: number | null; lastMismatchAt: Date | null; mismatchesSince: number }[]>`
    select
      (select max(seq) from audit_events where event_type = 'RECONCILIATION_MISMATCH') as "mismatchSeq",
      (select max(seq) from audit_events where event_type = 'RECONCILIATION_RESOLVED') as "resolvedSeq",
      (select max(occurred_at) from audit_events where event_type = 'RECONCILIATION_MISMATCH') as "lastMismatchAt",
      (select count(*) from audit_events where event_type = 'RECONCILIATION_MISMATCH' and occurred_at >= ${since})::int8 as "mismatchesSince"`;
  const mismatch = row?.mismatchSeq ?? null;
  return {
    open: mismatch !== null && mismatch > (row?.resolvedSeq ?? 0),
    lastMismatchAt: row?.lastMismatchAt ?? null,
    mismatchesSince: row?.mismatchesSince ?? 0,
  };
}

/** The chain's head and when its newest record was written (null on an empty chain). */
export async function auditHead(sql: Queryable): Promise<{ seq: number; at: Date | null }> {
  const [row] = await sql<{ seq: number; at: Date | null }[]>`
    select h.seq, e.occurred_at as at from audit_head h left join audit_events e on e.seq = h.seq where h.id = 1`;
  return { seq: row?.seq ?? 0, at: row?.at ?? null };
}
