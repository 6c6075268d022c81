/**
 * The shared counters of the API rate limits: every tier of a caller (burst, minute, hour, day)
 * counted in ONE round trip to the store, where rate-limiter-flexible's union made one per tier.
 *
 * Each tier is a fixed window, as before: the first hit opens the window (points 1, expiry now +
 * window), later hits add a point until the expiry passes, and the next hit opens a new window.
 * Points are counted even when another tier refuses (as the union did).
 *
 * - PostgreSQL: one `insert … on conflict do update … returning` over the four rows of the key,
 *   in the `rate_limits` table of migration 0005 (same key and column layout as the library's
 *   store). Times come from the database clock, shared by every replica. The rows are always
 *   upserted in tier order, so concurrent statements lock them in the same order (no deadlock),
 *   and each row's update is atomic: N parallel hits on a fresh key see the counts 1..N.
 * - Redis: one Lua script (EVALSHA through ioredis `defineCommand`, which falls back to EVAL
 *   when the script is not cached), which Redis runs atomically: INCR and, on the first point of
 *   a window, PEXPIRE, then PTTL, for each key.
 *
 * @module
 */
import type { Redis } from 'ioredis';
import type { Sql } from '../db/pool.ts';

/** What one tier's counter says after a hit. */
export interface TierCount {
  /** Points used in the current window, this hit included. */
  points: number;
  /** Milliseconds until the window ends. */
  msLeft: number;
}

export interface TierStore {
  /** Add a point to each key (whose windows are `windowsMs`, same order); one round trip. */
  hit(keys: readonly string[], windowsMs: readonly number[]): Promise<TierCount[]>;
}

export function postgresTierStore(sql: Sql): TierStore {
  return {
    async hit(keys, windowsMs) {
      const values = keys.map((_, i) => `($${i * 2 + 1}::varchar, $${i * 2 + 2}::bigint, ${i})`).join(', ');
      const params = keys.flatMap((k, i) => [k, windowsMs[i]!]);
      const rows = await sql.unsafe<{ key: string; points: number; expire: number; now_ms: number }[]>(
        `with n as (select (extract(epoch from clock_timestamp()) * 1000)::bigint as now_ms)
         insert into rate_limits as r (key, points, expire)
         select t.k, 1, n.now_ms + t.ms from n, (values ${values}) as t(k, ms, ord) order by t.ord
         on conflict (key) do update set
           points = case when r.expire is null or r.expire <= (select now_ms from n) then 1 else r.points + 1 end,
           expire = case when r.expire is null or r.expire <= (select now_ms from n) then excluded.expire else r.expire end
         returning r.key, r.points, r.expire, (select now_ms from n) as now_ms`,
        params as never[],
        { prepare: true },
      );
      const byKey = new Map(rows.map((row) => [row.key, row]));
      return keys.map((k) => {
        const row = byKey.get(k);
        if (!row) throw new Error(`rate limit row ${k} missing from the upsert`);
        return { points: Number(row.points), msLeft: Math.max(0, Number(row.expire) - Number(row.now_ms)) };
      });
    },
  };
}

/** KEYS: the tier keys. ARGV: their windows in ms. Returns points and ms left, flattened. */
const SCRIPT = `
local out = {}
for i, key in ipairs(KEYS) do
  local window = tonumber(ARGV[i])
  local points = redis.call('INCR', key)
  local ttl = redis.call('PTTL', key)
  if points == 1 or ttl < 0 then
    redis.call('PEXPIRE', key, window)
    ttl = window
  end
  out[#out + 1] = points
  out[#out + 1] = ttl
end
return out
`;

type WithTiers = Redis & { rateLimitTiers(numberOfKeys: number, ...args: (string | number)[]): Promise<number[]> };

export function redisTierStore(redis: Redis): TierStore {
  const client = redis as WithTiers;
  if (typeof client.rateLimitTiers !== 'function') redis.defineCommand('rateLimitTiers', { lua: SCRIPT });
  return {
    async hit(keys, windowsMs) {
      const reply = await client.rateLimitTiers(keys.length, ...keys, ...windowsMs);
      return keys.map((_, i) => ({ points: Number(reply[i * 2]), msLeft: Math.max(0, Number(reply[i * 2 + 1])) }));
    },
  };
}
