/**
 * Queries of the `reservations` table: exposure held by orders between the risk check and their
 * fill, so orders in flight count against every limit.
 *
 * @module
 */
import type { ReservedExposure } from '../domain/risk/rules.ts';
import type { Queryable } from './pool.ts';

export interface NewReservation {
  tradeId: string;
  accountId: string;
  instrumentKey: string;
  side: 'BUY' | 'SELL';
  quantity: number;
  notionalPaise: number;
  createdAt: Date;
  /** The margin the order holds against the account's funds until it fills or ends. */
  marginPaise?: number | undefined;
  /** The price reserved at: the limit, or a MARKET order's protective limit (the worst it may fill at). */
  pricePaise?: number | undefined;
}

export async function insertReservation(sql: Queryable, r: NewReservation): Promise<void> {
  await sql`
    insert into reservations (trade_id, account_id, instrument_key, side, quantity, notional_paise, margin_paise, price_paise, status, created_at, updated_at)
    values (${r.tradeId}, ${r.accountId}, ${r.instrumentKey}, ${r.side}, ${r.quantity}, ${r.notionalPaise}, ${r.marginPaise ?? 0}, ${r.pricePaise ?? null}, 'ACTIVE', ${r.createdAt}, ${r.createdAt})`;
}

/** A basket leg's reservation: its share of the basket's margin and the quantity it covers (undefined for a trade of its own). */
export async function basketLegMargin(sql: Queryable, tradeId: string): Promise<{ marginPaise: number; quantity: number } | undefined> {
  const [row] = await sql<{ marginPaise: number; quantity: number }[]>`
    select r.margin_paise as "marginPaise", r.quantity from reservations r join trades t on t.id = r.trade_id
    where r.trade_id = ${tradeId} and t.basket_id is not null`;
  return row;
}

export async function activeReservations(sql: Queryable, accountId: string): Promise<ReservedExposure[]> {
  return sql<ReservedExposure[]>`
    select instrument_key as "instrumentKey", quantity, notional_paise as "notionalPaise"
    from reservations where account_id = ${accountId} and status = 'ACTIVE'`;
}

/** Close the reservation: CONVERTED once the position is open, RELEASED when the entry did not fill. */
export async function closeReservation(sql: Queryable, tradeId: string, status: 'CONVERTED' | 'RELEASED'): Promise<void> {
  await sql`update reservations set status = ${status}, updated_at = now() where trade_id = ${tradeId} and status = 'ACTIVE'`;
}

/** Entries the account sent in the second before `now` (the ORDER_RATE rule). */
export async function entriesInLastSecond(sql: Queryable, accountId: string, now: Date): Promise<number> {
  const [row] = await sql<{ n: number }[]>`
    select count(*)::int8 as n from reservations where account_id = ${accountId} and created_at > ${new Date(now.getTime() - 1000)}`;
  return row?.n ?? 0;
}
