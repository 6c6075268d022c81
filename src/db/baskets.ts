/**
 * Queries of the `baskets` table and of a basket's leg trades (`trades.basket_id`). Written by the
 * basket workflow's activities, each change with its audit record; the API only reads.
 *
 * @module
 */
import type { BasketStatus } from '../domain/basket.ts';
import type { Violation } from '../domain/risk/rules.ts';
import type { Queryable } from './pool.ts';

export interface BasketRow {
  id: string;
  accountId: string;
  workflowId: string;
  requestFingerprint: string;
  requestedBy: string;
  status: BasketStatus;
  marginPaise: number | null;
  legsAlonePaise: number | null;
  hedged: boolean | null;
  violations: Violation[] | null;
  reason: string | null;
  createdAt: Date;
  updatedAt: Date;
  decidedAt: Date | null;
}

const selectBasket = (sql: Queryable) => sql`
  select id, account_id as "accountId", workflow_id as "workflowId", request_fingerprint as "requestFingerprint",
    requested_by as "requestedBy", status, margin_paise::int8 as "marginPaise", legs_alone_paise::int8 as "legsAlonePaise",
    hedged, violations, reason, created_at as "createdAt", updated_at as "updatedAt", decided_at as "decidedAt"
  from baskets`;

export async function getBasket(sql: Queryable, id: string, accountId?: string): Promise<BasketRow | undefined> {
  const [row] = await sql<BasketRow[]>`${selectBasket(sql)} where id = ${id} ${accountId ? sql`and account_id = ${accountId}` : sql``}`;
  return row && { ...row, marginPaise: row.marginPaise === null ? null : Number(row.marginPaise), legsAlonePaise: row.legsAlonePaise === null ? null : Number(row.legsAlonePaise) };
}

export interface NewBasket {
  id: string;
  accountId: string;
  workflowId: string;
  requestFingerprint: string;
  requestedBy: string;
}

/** Insert the basket unless it exists; true when this call created it. */
export async function insertBasket(sql: Queryable, b: NewBasket): Promise<boolean> {
  const rows = await sql`
    insert into baskets (id, account_id, workflow_id, request_fingerprint, requested_by)
    values (${b.id}, ${b.accountId}, ${b.workflowId}, ${b.requestFingerprint}, ${b.requestedBy})
    on conflict (id) do nothing returning id`;
  return rows.length === 1;
}

/** Mark a trade as leg `leg` (0-based) of the basket. */
export async function linkBasketLeg(sql: Queryable, tradeId: string, basketId: string, leg: number): Promise<void> {
  await sql`update trades set basket_id = ${basketId}, basket_leg = ${leg} where id = ${tradeId}`;
}

export interface BasketDecision {
  status: BasketStatus;
  marginPaise?: number | undefined;
  legsAlonePaise?: number | undefined;
  hedged?: boolean | undefined;
  violations?: Violation[] | undefined;
  reason?: string | undefined;
}

export async function updateBasket(sql: Queryable, id: string, d: BasketDecision): Promise<void> {
  await sql`
    update baskets set status = ${d.status},
      margin_paise = coalesce(${d.marginPaise ?? null}::int8, margin_paise),
      legs_alone_paise = coalesce(${d.legsAlonePaise ?? null}::int8, legs_alone_paise),
      hedged = coalesce(${d.hedged ?? null}::boolean, hedged),
      violations = coalesce(${d.violations ? sql.json(d.violations as never) : null}, violations),
      reason = coalesce(${d.reason ?? null}, reason),
      decided_at = case when ${d.status} = 'PENDING' then decided_at else coalesce(decided_at, now()) end,
      updated_at = now()
    where id = ${id}`;
}

/** The ids of the basket's leg trades, in leg order. */
export async function basketLegIds(sql: Queryable, basketId: string): Promise<string[]> {
  const rows = await sql<{ id: string }[]>`select id from trades where basket_id = ${basketId} order by basket_leg`;
  return rows.map((r) => r.id);
}
