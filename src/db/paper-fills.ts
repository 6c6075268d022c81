/**
 * Queries of the `paper_fills` table: the trades the paper exchange made, and the positions they
 * add up to.
 *
 * @module
 */
import type { Instrument } from '../domain/trade.ts';
import type { Queryable } from './pool.ts';

export interface PaperFillRow {
  id: number;
  quantity: number;
  price_paise: number;
  filled_at: Date;
}

export async function insertPaperFill(sql: Queryable, orderId: string, quantity: number, pricePaise: number, at: Date): Promise<void> {
  await sql`insert into paper_fills (order_id, quantity, price_paise, filled_at) values (${orderId}, ${quantity}, ${pricePaise}, ${at})`;
}

/** The order's fills in the order they happened. */
export async function paperFillsOf(sql: Queryable, orderId: string): Promise<PaperFillRow[]> {
  return sql<PaperFillRow[]>`select id, quantity, price_paise, filled_at from paper_fills where order_id = ${orderId} order by id`;
}

/** The account's net position per instrument (signed quantity), with the cost of what it bought. */
export async function paperPositions(sql: Queryable, accountId: string): Promise<{ instrument: Instrument; quantity: number; cost: number }[]> {
  return sql<{ instrument: Instrument; quantity: number; cost: number }[]>`
    select o.instrument,
           sum(case when o.side = 'BUY' then f.quantity else -f.quantity end)::int8 as quantity,
           sum(case when o.side = 'BUY' then f.quantity * f.price_paise else 0 end)::int8 as cost
    from paper_fills f join paper_orders o on o.id = f.order_id
    where o.account_id = ${accountId}
    group by o.instrument_key, o.instrument
    having sum(case when o.side = 'BUY' then f.quantity else -f.quantity end) <> 0`;
}
