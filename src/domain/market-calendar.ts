/**
 * NSE/BSE trading sessions in IST (UTC+05:30, no daylight saving). Times are stored in UTC; market
 * rules are decided here, on the IST wall clock. Holidays are data, passed in by the caller.
 *
 * Sessions (docs/indian-market.md#trading-hours): normal market 09:15–15:30 for cash and F&O, pre-open
 * call auction 09:00–09:08 order entry (cash; F&O futures only from 8 Dec 2025).
 *
 * @module
 */

export const IST_OFFSET_MINUTES = 330;

export type MarketHoursMode = 'nse' | 'always';

export interface IstParts {
  /** YYYY-MM-DD of the IST calendar day. */
  date: string;
  /** 0 = Sunday … 6 = Saturday. */
  weekday: number;
  /** Minutes since IST midnight. */
  minutes: number;
}

export function istParts(at: Date): IstParts {
  const shifted = new Date(at.getTime() + IST_OFFSET_MINUTES * 60_000);
  return {
    date: shifted.toISOString().slice(0, 10),
    weekday: shifted.getUTCDay(),
    minutes: shifted.getUTCHours() * 60 + shifted.getUTCMinutes(),
  };
}

/** "HH:MM" to minutes since midnight. */
export function parseHhmm(hhmm: string): number {
  const [h, m] = hhmm.split(':').map(Number);
  return (h ?? 0) * 60 + (m ?? 0);
}

/** The UTC instant of an IST wall-clock time on an IST date. */
export function istInstant(date: string, hhmm: string): Date {
  const midnightUtc = Date.parse(`${date}T00:00:00.000Z`);
  return new Date(midnightUtc + (parseHhmm(hhmm) - IST_OFFSET_MINUTES) * 60_000);
}

export const NORMAL_SESSION = { opens: '09:15', closes: '15:30' } as const;
export const PRE_OPEN_SESSION = { opens: '09:00', closes: '09:08' } as const;

export type MarketPhase = 'PRE_OPEN' | 'OPEN' | 'CLOSED';

export interface MarketStatus {
  phase: MarketPhase;
  open: boolean;
  reason?: string;
  /** IST trading day this instant belongs to. */
  tradingDay: string;
}

/** A special session (Muhurat trading) on an IST date, with its circular's times. */
export interface SessionHours {
  opens: string;
  closes: string;
}

/**
 * Whether orders can trade now. `holidays` holds IST dates (YYYY-MM-DD) on which the exchange is
 * closed; `specialSessions` the dates with a special session (Muhurat trading, often on a holiday or
 * a Sunday), open only between its times (docs/indian-market.md#the-calendar-as-data).
 */
export function marketStatus(at: Date, mode: MarketHoursMode, holidays: ReadonlySet<string>, specialSessions: ReadonlyMap<string, SessionHours> = new Map()): MarketStatus {
  const ist = istParts(at);
  if (mode === 'always') return { phase: 'OPEN', open: true, tradingDay: ist.date };
  const closed = (reason: string): MarketStatus => ({ phase: 'CLOSED', open: false, reason, tradingDay: ist.date });
  const special = specialSessions.get(ist.date);
  if (special && ist.minutes >= parseHhmm(special.opens) && ist.minutes < parseHhmm(special.closes)) return { phase: 'OPEN', open: true, tradingDay: ist.date };
  if (special && (ist.weekday === 0 || ist.weekday === 6 || holidays.has(ist.date))) return closed(`outside today's special session (${special.opens}–${special.closes} IST)`);
  if (ist.weekday === 0 || ist.weekday === 6) return closed('weekend');
  if (holidays.has(ist.date)) return closed('exchange holiday');
  if (ist.minutes >= parseHhmm(PRE_OPEN_SESSION.opens) && ist.minutes < parseHhmm(PRE_OPEN_SESSION.closes)) {
    return { phase: 'PRE_OPEN', open: false, reason: 'pre-open call auction (limit orders only, not routed by this system)', tradingDay: ist.date };
  }
  if (ist.minutes >= parseHhmm(NORMAL_SESSION.opens) && ist.minutes < parseHhmm(NORMAL_SESSION.closes)) {
    return { phase: 'OPEN', open: true, tradingDay: ist.date };
  }
  return closed(ist.minutes < parseHhmm(NORMAL_SESSION.opens) ? 'before the session opens (09:15 IST)' : 'after the session closed (15:30 IST)');
}

/** Start of the IST trading day containing `at`, as a UTC instant (for "today's P&L"). */
export function istDayStart(at: Date): Date {
  return istInstant(istParts(at).date, '00:00');
}

/**
 * When an intraday position opened at `at` must be squared off: that IST day's `squareOffTime`,
 * or `undefined` when square-off is off.
 */
export function squareOffInstant(at: Date, mode: MarketHoursMode, squareOffTime: string | 'off'): Date | undefined {
  if (mode === 'always' || squareOffTime === 'off') return undefined;
  return istInstant(istParts(at).date, squareOffTime);
}

/** True once the intraday entry cut-off (the square-off time) has passed for the day. */
export function pastIntradayCutoff(at: Date, mode: MarketHoursMode, squareOffTime: string | 'off'): boolean {
  const cutoff = squareOffInstant(at, mode, squareOffTime);
  return cutoff !== undefined && at.getTime() >= cutoff.getTime();
}
