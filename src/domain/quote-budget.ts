/**
 * How many REST quotes one worker may ask the broker for when its price stream is stale: a fixed
 * allowance a minute, whatever the number of positions it watches (they share one quote per
 * instrument). Breeze allows 100 calls a minute and 5,000 a day (docs/breeze-api.md#rate-limits).
 *
 * The arithmetic, with the defaults:
 * - calls not kept for orders: 100 − 20 = 80 a minute, 5,000 − 500 = 4,500 a day;
 * - REST quotes may take half of them (the other half is for order-status polls, reconciliation
 *   and account reads): 40 a minute, 2,250 a day;
 * - a day holds one NSE session, 09:15 to 15:30 IST = 375 minutes, and a stale stream may last all
 *   of it: 2,250 / 375 = 6 a minute;
 * - so a worker asks at most min(40, 6) = 6 quotes a minute, 2,250 a session, however many
 *   positions it holds. Each worker added takes its own share: run at most
 *   (the day's quota) / (a worker's share) workers against one Breeze account, or lower
 *   BROKER_CALLS_PER_DAY for each.
 *
 * @module
 */
import { NORMAL_SESSION } from './market-calendar.ts';

export interface CallBudget {
  callsPerMinute: number;
  callsPerDay: number;
  orderReservePerMinute: number;
  orderReservePerDay: number;
}

/** The share of the calls not kept for orders that REST quotes may use. */
export const QUOTE_SHARE = 0.5;

/** Minutes of the NSE normal session (375). */
export const SESSION_MINUTES = minutesOf(NORMAL_SESSION.closes) - minutesOf(NORMAL_SESSION.opens);

/**
 * @example
 * fallbackQuotesPerMinute({ callsPerMinute: 100, callsPerDay: 5000, orderReservePerMinute: 20, orderReservePerDay: 500 }) // 6
 */
export function fallbackQuotesPerMinute(budget: CallBudget): number {
  const perMinute = Math.floor((budget.callsPerMinute - budget.orderReservePerMinute) * QUOTE_SHARE);
  const perDay = Math.floor((budget.callsPerDay - budget.orderReservePerDay) * QUOTE_SHARE);
  return Math.max(1, Math.min(perMinute, Math.floor(perDay / SESSION_MINUTES)));
}

function minutesOf(hhmm: string): number {
  const [h, m] = hhmm.split(':').map(Number);
  return (h ?? 0) * 60 + (m ?? 0);
}
