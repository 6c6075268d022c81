/**
 * The client-side budget of broker calls, shared by every worker (docs/breeze-api.md#rate-limits):
 * at most BROKER_MAX_ORDERS_PER_SECOND order actions a second combined (SEBI/NSE: above 10 the
 * exchange rejects unregistered algos' orders), BROKER_CALLS_PER_MINUTE calls a minute and
 * BROKER_CALLS_PER_DAY a day. Breeze answers a breach with "Limit exceed", so counting here keeps
 * us from learning about it the hard way.
 *
 * Order actions may use the whole budget; other calls stop short of BROKER_ORDER_RESERVE_* so
 * polling cannot starve an exit (priority.ts).
 *
 * A call that would exceed waits when the slot frees soon (within `maxWaitMs`), and otherwise
 * fails as BrokerUnavailableError with the time to retry: the order was not sent, and the activity
 * retries it later.
 *
 * @module
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { BrokerUnavailableError } from '../errors.ts';
import type { CallEffect } from '../breeze/http.ts';
import { inOrderAction } from './priority.ts';
import type { RateBudget, RateLimits, RateLimitStore } from './store.ts';

export interface RateLimiterOptions {
  store: RateLimitStore;
  limits: RateLimits;
  /**
   * Calls a minute and a day kept for order actions (priority.ts): any other call is admitted
   * only while more than this is left.
   */
  orderReserve?: { perMinute: number; perDay: number };
  /** Longest a call waits for a slot before it fails as unavailable. */
  maxWaitMs: number;
  /** The budget's name: one per broker account key. */
  key?: string;
}

export interface BrokerRateLimiter {
  /**
   * Take a slot for one call, waiting up to `maxWaitMs`; resolves to the admission time by the
   * store's clock. Throws BrokerUnavailableError when no slot frees in time.
   */
  acquire(effect: CallEffect): Promise<Date>;
  /** What is left of each budget now (for metrics). */
  remaining(): Promise<RateBudget>;
  readonly limits: RateLimits;
  close(): Promise<void>;
}

export function createRateLimiter(options: RateLimiterOptions): BrokerRateLimiter {
  const key = options.key ?? 'breeze';
  const { store, limits, maxWaitMs } = options;
  const reserve = options.orderReserve ?? { perMinute: 0, perDay: 0 };
  // The same store and windows with lower ceilings: a background call sees the budget end early.
  const backgroundLimits: RateLimits = { ...limits, perMinute: Math.max(1, limits.perMinute - reserve.perMinute), perDay: Math.max(1, limits.perDay - reserve.perDay) };
  return {
    limits,
    async acquire(effect: CallEffect): Promise<Date> {
      const started = Date.now();
      const ceilings = effect === 'write' || inOrderAction() ? limits : backgroundLimits;
      for (;;) {
        const result = await store.take(key, effect, ceilings);
        if (result.admitted) return result.takenAt;
        const waited = Date.now() - started;
        if (waited + result.waitMs > maxWaitMs) {
          throw new BrokerUnavailableError(
            `client-side broker budget exhausted (${result.reason}: ${describe(result.reason, ceilings)}${ceilings === limits ? '' : ', the rest kept for orders'}), next slot in ${Math.ceil(result.waitMs / 1000)} s`,
            undefined,
            Math.max(1, Math.ceil(result.waitMs / 1000)),
          );
        }
        // a little jitter so waiting workers do not all come back in the same millisecond
        await sleep(result.waitMs + Math.floor(Math.random() * 10));
      }
    },
    remaining: () => store.remaining(key, limits),
    close: () => store.close(),
  };
}

function describe(reason: 'second' | 'minute' | 'day', limits: RateLimits): string {
  if (reason === 'second') return `${limits.perSecond} order actions per second`;
  if (reason === 'minute') return `${limits.perMinute} calls per minute`;
  return `${limits.perDay} calls per day`;
}
