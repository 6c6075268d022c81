/**
 * How many reads one worker may ask the broker for besides its orders: REST quotes when its price
 * stream is stale, and order-status reads of working and resting orders. Each is a fixed allowance
 * a minute, whatever the number of positions it watches. Breeze allows 100 calls a minute and
 * 5,000 a day (docs/breeze-api.md#rate-limits).
 *
 * The arithmetic, with the defaults:
 * - calls not kept for orders: 100 − 20 = 80 a minute, 5,000 − 500 = 4,500 a day;
 * - a day holds one NSE session, 09:15 to 15:30 IST = 375 minutes, and a stale stream may last all
 *   of it, so a share s of those calls allows min(80·s, 4,500·s / 375) a minute;
 * - REST quotes take half (s = 0.5): min(40, 6) = 6 quotes a minute, 2,250 a session, shared by
 *   every position on an instrument;
 * - order-status reads (a working entry or exit, and the safety-net look at resting stops and
 *   targets, whose changes the broker otherwise notifies) take 0.3: min(24, 3.6) = 3 a minute,
 *   1,125 a session; a notice is read at once and counted against the same allowance;
 * - the last 0.2 (900 a day) is left for reconciliation, account and session reads (the funds check
 *   reads the broker's funds at most once a minute, docs/breeze-api.md#funds-and-margin);
 * - so a worker makes at most 6 + 3 = 9 such reads a minute, 3,375 a session, however many
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
  return perMinuteOfShare(budget, QUOTE_SHARE);
}

/** The share of the calls not kept for orders that order-status reads may use. */
export const ORDER_STATUS_SHARE = 0.3;

/**
 * @example
 * orderStatusReadsPerMinute({ callsPerMinute: 100, callsPerDay: 5000, orderReservePerMinute: 20, orderReservePerDay: 500 }) // 3
 */
export function orderStatusReadsPerMinute(budget: CallBudget): number {
  return perMinuteOfShare(budget, ORDER_STATUS_SHARE);
}

/** A share of the calls not kept for orders, spread so a whole session of them fits the day. */
function perMinuteOfShare(budget: CallBudget, share: number): number {
  const perMinute = Math.floor((budget.callsPerMinute - budget.orderReservePerMinute) * share);
  const perDay = Math.floor((budget.callsPerDay - budget.orderReservePerDay) * share);
  return Math.max(1, Math.min(perMinute, Math.floor(perDay / SESSION_MINUTES)));
}

function minutesOf(hhmm: string): number {
  const [h, m] = hhmm.split(':').map(Number);
  return (h ?? 0) * 60 + (m ?? 0);
}
