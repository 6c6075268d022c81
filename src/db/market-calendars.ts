/**
 * The exchange calendar by year (`market_calendars`, `market_special_sessions`, and the holidays of
 * `market_holidays`): which years are loaded, loading one, and reading one back.
 * docs/indian-market.md#the-calendar-as-data says where the lists come from.
 *
 * @module
 */
import { cashExchangeOf } from '../domain/calendar/coverage.ts';
import type { ExchangeCalendar, SpecialSession } from '../domain/calendar/exchange-file.ts';
import type { SessionHours } from '../domain/market-calendar.ts';
import { replaceHolidays } from './market-holidays.ts';
import type { Queryable } from './pool.ts';

export interface CalendarLoad {
  exchange: string;
  year: number;
  source: string;
  digest: string | null;
  loadedBy: string;
  loadedAt: Date;
}

/** The IST years whose calendar is loaded, per cash exchange. */
export async function loadedYears(sql: Queryable): Promise<Map<string, Set<number>>> {
  const rows = await sql<{ exchange: string; year: number }[]>`select exchange, year from market_calendars`;
  const out = new Map<string, Set<number>>();
  for (const r of rows) out.set(r.exchange, (out.get(r.exchange) ?? new Set()).add(r.year));
  return out;
}

/**
 * What the market-hours decision needs for one exchange: its holidays, special sessions and loaded
 * years. One statement (the reservation asks it for every entry): three round trips were a third
 * of the reads before its transaction.
 */
export async function exchangeCalendarOf(sql: Queryable, exchange: string): Promise<{ holidays: Set<string>; sessions: Map<string, SessionHours>; years: Set<number> }> {
  const cash = cashExchangeOf(exchange);
  const [row] = await sql<{ holidays: string[]; sessions: { day: string; opens: string; closes: string }[]; years: number[] }[]>`
    select
      coalesce((select json_agg(to_char(day, 'YYYY-MM-DD')) from market_holidays where exchange = ${cash}), '[]') as holidays,
      coalesce((select json_agg(json_build_object('day', to_char(day, 'YYYY-MM-DD'), 'opens', opens, 'closes', closes)) from market_special_sessions where exchange = ${cash}), '[]') as sessions,
      coalesce((select json_agg(year) from market_calendars where exchange = ${cash}), '[]') as years`;
  return {
    holidays: new Set(row!.holidays),
    sessions: new Map(row!.sessions.map((s) => [s.day, { opens: s.opens, closes: s.closes }])),
    years: new Set(row!.years),
  };
}

/** Replace one year of an exchange with `calendar` and record it as loaded (inside the caller's transaction). */
export async function saveCalendar(tx: Queryable, exchange: string, calendar: ExchangeCalendar, load: { source: string; digest: string; loadedBy: string }): Promise<void> {
  await replaceHolidays(tx, exchange, calendar.year, calendar.holidays);
  await tx`delete from market_special_sessions where exchange = ${exchange} and extract(year from day) = ${calendar.year}`;
  for (const s of calendar.specialSessions) {
    await tx`insert into market_special_sessions (exchange, day, opens, closes, description) values (${exchange}, ${s.day}, ${s.opens}, ${s.closes}, ${s.description})`;
  }
  await tx`
    insert into market_calendars (exchange, year, source, digest, loaded_by) values (${exchange}, ${calendar.year}, ${load.source}, ${load.digest}, ${load.loadedBy})
    on conflict (exchange, year) do update set source = excluded.source, digest = excluded.digest, loaded_by = excluded.loaded_by, loaded_at = now()`;
}

/** Mark a year as loaded by the older per-exchange holidays route (its days were replaced there). */
export async function markYearLoaded(tx: Queryable, exchange: string, year: number, load: { source: string; loadedBy: string }): Promise<void> {
  await tx`
    insert into market_calendars (exchange, year, source, digest, loaded_by) values (${exchange}, ${year}, ${load.source}, null, ${load.loadedBy})
    on conflict (exchange, year) do update set source = excluded.source, digest = null, loaded_by = excluded.loaded_by, loaded_at = now()`;
}

export interface YearCalendar {
  year: number;
  loads: CalendarLoad[];
  holidays: { exchange: string; day: string; description: string }[];
  specialSessions: (SpecialSession & { exchange: string })[];
}

/** One year as stored: which exchanges have it loaded (and from what), its holidays and special sessions. */
export async function calendarOfYear(sql: Queryable, year: number): Promise<YearCalendar> {
  const [loads, holidays, specialSessions] = await Promise.all([
    sql<CalendarLoad[]>`
      select exchange, year, source, digest, loaded_by as "loadedBy", loaded_at as "loadedAt"
      from market_calendars where year = ${year} order by exchange`,
    sql<YearCalendar['holidays']>`
      select exchange, to_char(day, 'YYYY-MM-DD') as day, description from market_holidays
      where day >= make_date(${year}::int, 1, 1) and day < make_date(${year}::int + 1, 1, 1) order by day, exchange`,
    sql<YearCalendar['specialSessions']>`
      select exchange, to_char(day, 'YYYY-MM-DD') as day, opens, closes, description from market_special_sessions
      where day >= make_date(${year}::int, 1, 1) and day < make_date(${year}::int + 1, 1, 1) order by day, exchange`,
  ]);
  return { year, loads, holidays, specialSessions };
}
