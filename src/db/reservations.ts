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
}

export async function insertReservation(sql: Queryable, r: NewReservation): Promise<void> {
  await sql`
    insert into reservations (trade_id, account_id, instrument_key, side, quantity, notional_paise, status, created_at, updated_at)
    values (${r.tradeId}, ${r.accountId}, ${r.instrumentKey}, ${r.side}, ${r.quantity}, ${r.notionalPaise}, 'ACTIVE', ${r.createdAt}, ${r.createdAt})`;
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
