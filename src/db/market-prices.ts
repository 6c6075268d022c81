/**
 * The last price seen per instrument (from quotes and fills). The risk check reads it inside its
 * transaction; how fresh it must be is the caller's rule (stale prices fail closed).
 *
 * @module
 */
import type { PricePoint } from '../domain/risk/rules.ts';
import type { Queryable } from './pool.ts';

/** Record a price unless a newer one is already known. */
export async function recordPrice(sql: Queryable, instrumentKey: string, pricePaise: number, at: Date): Promise<void> {
  await sql`
    insert into market_prices (instrument_key, price_paise, at) values (${instrumentKey}, ${pricePaise}, ${at})
    on conflict (instrument_key) do update set price_paise = excluded.price_paise, at = excluded.at
    where market_prices.at <= excluded.at`;
}

export interface RecordedPrice {
  instrumentKey: string;
  pricePaise: number;
  at: Date;
}

/**
 * Record many prices in one statement (one per instrument), each unless a newer one is already known.
 * Rows are written in instrument order: two such statements at once (the worker's price recorder,
 * a risk check's streamed prices) lock their rows in the same order, so neither can hold a row the
 * other needs while waiting for one it holds (a deadlock, which failed one of them).
 */
export async function recordPrices(sql: Queryable, prices: RecordedPrice[]): Promise<void> {
  if (!prices.length) return;
  await sql`
    insert into market_prices (instrument_key, price_paise, at)
    select * from unnest(${sql.array(prices.map((p) => p.instrumentKey))}::text[], ${sql.array(prices.map((p) => p.pricePaise))}::bigint[], ${sql.array(prices.map((p) => p.at.toISOString()))}::timestamptz[])
    order by 1
    on conflict (instrument_key) do update set price_paise = excluded.price_paise, at = excluded.at
    where market_prices.at <= excluded.at`;
}

export async function lastPrices(sql: Queryable, instrumentKeys: string[]): Promise<Map<string, PricePoint>> {
  if (!instrumentKeys.length) return new Map();
  // `= any(array)`, not `in (...)`: one statement whatever the count of keys, so it stays prepared
  // on each connection. An `in` list is a new statement for each count, which the driver parses
  // and describes in a round trip of its own before running it (and keeps prepared while the
  // connection lives).
  const rows = await sql<{ key: string; price: number; at: Date }[]>`
    select instrument_key as key, price_paise as price, at from market_prices where instrument_key = any(${sql.array(instrumentKeys)}::text[])`;
  return new Map(rows.map((r) => [r.key, { pricePaise: r.price, at: r.at }]));
}
