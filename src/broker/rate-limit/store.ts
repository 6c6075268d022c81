/**
 * What a shared rate-limit store does: take one call from the broker's budget atomically (one SQL
 * statement, or one Lua script), or say how long until a slot frees; and tell what is left.
 *
 * Why our own stores and not rate-limiter-flexible: its Postgres store is written against the `pg`
 * driver (we run porsager `postgres`), and its limiters are one window each, so "10 a second AND
 * 100 a minute AND 5000 a day" would be three separate consumes that can admit a call in one window
 * and then refuse it in the next, leaving the first window charged. One function checking all
 * three under one lock (Postgres) or in one script (Redis) is short and exact.
 *
 * @module
 */
import type { CallEffect } from '../breeze/http.ts';

export interface RateLimits {
  /** Order actions (place, modify, cancel, square-off) per second, combined. */
  perSecond: number;
  /** Calls of any kind per minute. */
  perMinute: number;
  /** Calls of any kind per IST day. */
  perDay: number;
  /**
   * Length of the "second" in milliseconds. A little over 1000 keeps a margin for the network:
   * two calls admitted 1000 ms apart can arrive 990 ms apart.
   */
  secondMs: number;
}

/** What is left of each budget right now. */
export interface RateBudget {
  secondLeft: number;
  minuteLeft: number;
  dayLeft: number;
}

export type TakeResult =
  | ({ admitted: true; takenAt: Date } & RateBudget)
  | ({ admitted: false; waitMs: number; reason: 'second' | 'minute' | 'day' } & RateBudget);

export interface RateLimitStore {
  readonly kind: 'postgres' | 'redis';
  take(key: string, effect: CallEffect, limits: RateLimits): Promise<TakeResult>;
  /** The budget left, without taking from it. */
  remaining(key: string, limits: RateLimits): Promise<RateBudget>;
  close(): Promise<void>;
}
