/**
 * Queries of the `paper_quotes` table: the paper exchange's last price per instrument, pinned
 * when an operator set it (POST /paper/quotes), else moved by the random walk.
 *
 * @module
 */
import type { Instrument } from '../domain/trade.ts';
import type { Queryable, Sql, TxSql } from './pool.ts';

export interface PaperQuoteRow {
  last_price_paise: number;
  pinned: boolean;
  steps: number;
  updated_at: Date;
}

/** The instrument's quote, locked for the rest of the transaction. */
export async function lockPaperQuote(tx: TxSql, key: string): Promise<PaperQuoteRow | undefined> {
  const [row] = await tx<PaperQuoteRow[]>`select last_price_paise, pinned, steps, updated_at from paper_quotes where instrument_key = ${key} for update`;
  return row;
}

/** The quotes of these instruments as they stand (unlocked; an instrument never quoted is absent). */
export async function paperQuotesOf(sql: Queryable, keys: string[]): Promise<Map<string, PaperQuoteRow>> {
  if (!keys.length) return new Map();
  // any(array): one prepared statement for every count of keys (db/market-prices.ts, lastPrices)
  const rows = await sql<(PaperQuoteRow & { key: string })[]>`
    select instrument_key as key, last_price_paise, pinned, steps, updated_at from paper_quotes where instrument_key = any(${sql.array(keys)}::text[])`;
  return new Map(rows.map(({ key, ...row }) => [key, row]));
}

/** The first quote of an instrument (unpinned); a concurrent first use wins and this does nothing. */
export async function insertPaperQuote(sql: Queryable, key: string, instrument: Instrument, pricePaise: number, at: Date): Promise<void> {
  await sql`
    insert into paper_quotes (instrument_key, exchange, symbol, last_price_paise, pinned, updated_at)
    values (${key}, ${instrument.exchange}, ${instrument.symbol}, ${pricePaise}, false, ${at})
    on conflict (instrument_key) do nothing`;
}

/** Set the last price and pin it: the random walk leaves it alone from now on. */
export async function pinPaperQuote(sql: Queryable, key: string, instrument: Instrument, pricePaise: number, at: Date): Promise<void> {
  await sql`
    insert into paper_quotes (instrument_key, exchange, symbol, last_price_paise, pinned, updated_at)
    values (${key}, ${instrument.exchange}, ${instrument.symbol}, ${pricePaise}, true, ${at})
    on conflict (instrument_key) do update set last_price_paise = excluded.last_price_paise, pinned = true, updated_at = excluded.updated_at`;
}

/** The walk took `steps` steps covering `elapsedMs`: the quote's time moves by that much, not to now. */
export async function walkPaperQuote(sql: Queryable, key: string, pricePaise: number, steps: number, elapsedMs: number): Promise<void> {
  await sql`
    update paper_quotes set last_price_paise = ${pricePaise}, steps = steps + ${steps},
      updated_at = updated_at + ${elapsedMs} * interval '1 millisecond'
    where instrument_key = ${key}`;
}

/** The channel a paper price goes out on (LISTEN/NOTIFY): from the API's desk to every worker. */
export const PAPER_QUOTE_CHANNEL = 'paper_quote';

export interface PaperQuoteNotice {
  instrument: Instrument;
  lastPricePaise: number;
  at: string;
}

/** Announce a new paper price; inside the transaction that wrote it, so it goes out only when committed. */
export async function notifyPaperQuote(sql: Queryable, notice: PaperQuoteNotice): Promise<void> {
  await sql`select pg_notify(${PAPER_QUOTE_CHANNEL}, ${JSON.stringify(notice)})`;
}

/** Hear every committed paper price; resolves once listening, to the function that stops it. */
export async function listenPaperQuotes(sql: Sql, onNotice: (notice: PaperQuoteNotice) => void): Promise<() => Promise<void>> {
  const { unlisten } = await sql.listen(PAPER_QUOTE_CHANNEL, (payload) => {
    try {
      onNotice(JSON.parse(payload) as PaperQuoteNotice);
    } catch {
      // not ours: every notice on the channel is written by notifyPaperQuote
    }
  });
  return unlisten;
}
