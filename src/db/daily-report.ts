/**
 * One account's report of one IST day, computed on demand from the database (the route) or by the
 * scheduled run (src/activities/daily-report.ts): the rows of src/db/reports.ts, the exchange
 * calendar and the account's limits, through the pure src/domain/report.ts.
 *
 * @module
 */
import { type Config, defaultRiskLimits } from '../config.ts';
import { type DailyReport, dailyReport, istDayWindow, isTradingDay } from '../domain/report.ts';
import { exchangeCalendarOf } from './market-calendars.ts';
import type { Queryable, Sql } from './pool.ts';
import { fillsBetween, heldAt, rejectedBetween, tradesClosedBetween } from './reports.ts';
import { accountLimits } from './risk-limits.ts';
import { consistentRead } from './transaction.ts';

/** Whether NSE (whose calendar BSE follows) trades on an IST date. */
export async function tradesOn(sql: Queryable, config: Config, day: string): Promise<boolean> {
  const calendar = await exchangeCalendarOf(sql, 'NSE');
  return isTradingDay(day, config.market.MARKET_HOURS, calendar.holidays, new Set(calendar.sessions.keys()));
}

export async function loadDailyReport(sql: Sql, config: Config, accountId: string, day: string): Promise<DailyReport> {
  const window = istDayWindow(day);
  // One snapshot: today's report is read while trades close, and an exit fill and its trade's
  // close read apart would show the fill's P&L without the closed trade, or the other way round.
  const [tradingDay, fills, closedTrades, openAtStart, rejectedTrades, limits] = await consistentRead(sql, (tx) =>
    Promise.all([
      tradesOn(tx, config, day),
      fillsBetween(tx, accountId, window),
      tradesClosedBetween(tx, accountId, window),
      heldAt(tx, accountId, window.from),
      rejectedBetween(tx, accountId, window),
      accountLimits(tx, accountId, defaultRiskLimits(config.risk)),
    ]),
  );
  return dailyReport({ accountId, day, tradingDay, fills, closedTrades, openAtStart, rejectedTrades, limits });
}
