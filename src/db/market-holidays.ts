/**
 * Exchange holidays, kept as data (`market_holidays`) that an operator updates from the
 * exchange's yearly circular and its ad-hoc closures.
 *
 * @module
 */
import type { Queryable } from './pool.ts';

export interface Holiday {
  exchange: string;
  day: string;
  description: string;
}

/** Holidays of an exchange as a set of IST dates (YYYY-MM-DD). F&O segments follow their cash exchange. */
export async function holidaysOf(sql: Queryable, exchange: string): Promise<Set<string>> {
  const cash = exchange === 'NFO' ? 'NSE' : exchange === 'BFO' ? 'BSE' : exchange;
  const rows = await sql<{ day: string }[]>`select to_char(day, 'YYYY-MM-DD') as day from market_holidays where exchange = ${cash}`;
  return new Set(rows.map((r) => r.day));
}

export async function listHolidays(sql: Queryable, year?: number): Promise<Holiday[]> {
  return sql<Holiday[]>`
    select exchange, to_char(day, 'YYYY-MM-DD') as day, description from market_holidays
    where ${year === undefined ? sql`true` : sql`extract(year from day) = ${year}`}
    order by day, exchange`;
}

/** Replace one year's holidays of an exchange with `days`. */
export async function replaceHolidays(sql: Queryable, exchange: string, year: number, days: { day: string; description: string }[]): Promise<void> {
  await sql`delete from market_holidays where exchange = ${exchange} and extract(year from day) = ${year}`;
  for (const d of days) {
    await sql`insert into market_holidays (exchange, day, description) values (${exchange}, ${d.day}, ${d.description})`;
  }
}
