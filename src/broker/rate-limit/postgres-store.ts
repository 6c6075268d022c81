/**
 * The rate-limit store in PostgreSQL (migration 0020): `broker_take_token()` checks and takes under
 * one row lock, so every worker sharing the database shares the budget.
 *
 * @module
 */
import type { Sql } from '../../db/pool.ts';
import type { CallEffect } from '../breeze/http.ts';
import type { RateBudget, RateLimits, RateLimitStore, TakeResult } from './store.ts';

interface TakeRow {
  admitted: boolean;
  wait_ms: number;
  reason: 'second' | 'minute' | 'day' | null;
  taken_at: Date | null;
  second_left: number;
  minute_left: number;
  day_left: number;
}

export function postgresRateLimitStore(sql: Sql): RateLimitStore {
  return {
    kind: 'postgres',
    async take(key: string, effect: CallEffect, limits: RateLimits): Promise<TakeResult> {
      const [row] = await sql<TakeRow[]>`
        select * from broker_take_token(${key}, ${effect === 'write'}, ${limits.perSecond}, ${limits.perMinute}, ${limits.perDay}, ${limits.secondMs})`;
      if (!row) throw new Error('broker_take_token returned no row');
      const budget = { secondLeft: row.second_left, minuteLeft: row.minute_left, dayLeft: row.day_left };
      if (row.admitted) return { admitted: true, takenAt: row.taken_at!, ...budget };
      return { admitted: false, waitMs: row.wait_ms, reason: row.reason ?? 'second', ...budget };
    },
    async remaining(key: string, limits: RateLimits): Promise<RateBudget> {
      const [row] = await sql<{ writes: number; calls: number; day_count: number }[]>`
        select
          (select count(*) from unnest(write_log) t where t > clock_timestamp() - ${limits.secondMs} * interval '1 millisecond')::int as writes,
          (select count(*) from unnest(call_log) t where t > clock_timestamp() - interval '1 minute')::int as calls,
          case when day = (clock_timestamp() at time zone 'Asia/Kolkata')::date then day_count else 0 end as day_count
        from broker_rate_limits where key = ${key}`;
      return {
        secondLeft: Math.max(0, limits.perSecond - (row?.writes ?? 0)),
        minuteLeft: Math.max(0, limits.perMinute - (row?.calls ?? 0)),
        dayLeft: Math.max(0, limits.perDay - (row?.day_count ?? 0)),
      };
    },
    async close() {
      // the pool belongs to the caller
    },
  };
}
