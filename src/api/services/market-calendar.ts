/**
 * Loading a year's exchange calendar, the same way from the admin route (PUT /market/calendar/{year})
 * and from the command line (scripts/market-calendar.ts): parse the exchange's file, replace the
 * year's holidays and special sessions, mark the year loaded, and audit it (CONFIG_CHANGED with the
 * year and the SHA-256 of what was loaded) in one transaction. A bad file changes nothing.
 *
 * @module
 */
import { createHash } from 'node:crypto';
import type { Actor } from '../../audit/events.ts';
import type { AuditLog } from '../../audit/append.ts';
import { calendarOfYear, saveCalendar } from '../../db/market-calendars.ts';
import type { Sql } from '../../db/pool.ts';
import { transaction } from '../../db/transaction.ts';
import { CASH_EXCHANGES, type CashExchange } from '../../domain/calendar/coverage.ts';
import { canonicalCalendar, parseExchangeCalendar } from '../../domain/calendar/exchange-file.ts';

/** The exchanges a file is loaded for when none is named: BSE's list is NSE's (docs/indian-market.md#holidays). */
export const CALENDAR_EXCHANGES = CASH_EXCHANGES;
type CalendarExchange = CashExchange;

export interface CalendarLoadRequest {
  year: number;
  document: unknown;
  exchanges: readonly CalendarExchange[];
  /** Where the file came from, as the audit record and GET /market/calendar show it. */
  source: string;
  actor: Actor;
  accountId?: string | undefined;
  requestId?: string | undefined;
  clientIp?: string | undefined;
}

export interface CalendarLoadResult {
  year: number;
  exchanges: CalendarExchange[];
  digest: string;
  holidays: number;
  specialSessions: number;
}

export async function loadMarketCalendar(sql: Sql, audit: AuditLog, req: CalendarLoadRequest): Promise<CalendarLoadResult> {
  const calendar = parseExchangeCalendar(req.document, req.year);
  const digest = createHash('sha256').update(canonicalCalendar(calendar)).digest('hex');
  const exchanges = [...new Set(req.exchanges)];
  await transaction(sql, async (tx) => {
    const before = await calendarOfYear(tx, req.year);
    for (const exchange of exchanges) {
      await saveCalendar(tx, exchange, calendar, { source: req.source, digest, loadedBy: `${req.actor.type}:${req.actor.id}` });
    }
    await audit.append(tx, {
      type: 'CONFIG_CHANGED',
      actor: req.actor,
      accountId: req.accountId,
      requestId: req.requestId,
      clientIp: req.clientIp,
      payload: {
        setting: 'market_calendar',
        year: req.year,
        exchanges,
        source: req.source,
        digest,
        old: before.loads.filter((l) => exchanges.includes(l.exchange as CalendarExchange)).map((l) => ({ exchange: l.exchange, digest: l.digest, source: l.source })),
        new: { holidays: calendar.holidays.map((h) => h.day), specialSessions: calendar.specialSessions.map((s) => `${s.day} ${s.opens}-${s.closes}`) },
      },
    });
  });
  return { year: req.year, exchanges, digest, holidays: calendar.holidays.length, specialSessions: calendar.specialSessions.length };
}
