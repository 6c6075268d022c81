/**
 * How far the loaded exchange calendar reaches. A year is known only once its calendar is loaded;
 * NSE publishes the next year's list in December (docs/indian-market.md#the-calendar-as-data), so
 * an unknown year is never assumed open: live orders in it are refused with MARKET_CALENDAR_MISSING,
 * and monitoring counts the days left before the calendar runs out.
 *
 * @module
 */
import { istParts, type MarketHoursMode } from '../market-calendar.ts';
import type { Violation } from '../risk/rules.ts';

const DAY_MS = 86_400_000;

/** The exchanges with a calendar of their own; F&O segments follow theirs. */
export const CASH_EXCHANGES = ['NSE', 'BSE'] as const;
export type CashExchange = (typeof CASH_EXCHANGES)[number];

/** F&O segments follow the calendar of their cash exchange. */
export function cashExchangeOf(exchange: string): string {
  return exchange === 'NFO' ? 'NSE' : exchange === 'BFO' ? 'BSE' : exchange;
}

/** The IST calendar year of an instant. */
export function istYear(at: Date): number {
  return Number(istParts(at).date.slice(0, 4));
}

/** The first IST year, from the current one on, without a loaded calendar. */
export function firstMissingYear(now: Date, loadedYears: ReadonlySet<number>): number {
  let year = istYear(now);
  while (loadedYears.has(year)) year++;
  return year;
}

/**
 * Days (fractional) from `now` until the calendar runs out: the start (IST midnight, 1 January) of
 * the first year without one; 0 when the current year has none.
 *
 * @example
 * calendarDaysLeft(new Date('2026-12-02T00:00:00+05:30'), new Set([2026])) // → 30
 */
export function calendarDaysLeft(now: Date, loadedYears: ReadonlySet<number>): number {
  const year = firstMissingYear(now, loadedYears);
  if (year === istYear(now)) return 0;
  const starts = Date.parse(`${year}-01-01T00:00:00+05:30`);
  return Math.max(0, (starts - now.getTime()) / DAY_MS);
}

/** The refusal of an order at `at` when its exchange has no calendar for that IST year (`nse` hours only). */
export function calendarViolation(at: Date, mode: MarketHoursMode, exchange: string, loadedYears: ReadonlySet<number>): Violation | undefined {
  if (mode === 'always') return undefined;
  const year = istYear(at);
  if (loadedYears.has(year)) return undefined;
  const cash = cashExchangeOf(exchange);
  return {
    rule: 'MARKET_CALENDAR_MISSING',
    limit: `${cash} calendar for ${year} loaded`,
    actual: 'not loaded',
    message: `No ${cash} holiday calendar is loaded for ${year}: orders are refused rather than trading on a day that may be a holiday. An admin loads the exchange's list with PUT /market/calendar/${year}`,
  };
}
