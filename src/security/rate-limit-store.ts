/**
 * The shared counters of the API rate limits: every tier of a caller (burst, minute, hour, day)
 * counted in ONE round trip to the store, where rate-limiter-flexible's union made one per tier.
 *
 * Each tier is a fixed window, as before: the first hit opens the window (points 1, expiry now +
 * window), later hits add a point until the expiry passes, and the next hit opens a new window.
 * Points are counted even when another tier refuses (as the union did).
 *
 * A hit may add more than one point (a lease, rate-limit-lease.ts) and give back points of an
 * earlier lease that were not spent: only while that lease's window is still the current one
 * (its end, `windowEnd`, is the window's identity), so points of a past window never leave the
 * next one.
 *
 * - PostgreSQL: one `insert … on conflict do update … returning` over the four rows of the key,
 *   in the `rate_limits` table of migration 0005 (same key and column layout as the library's
 *   store). Times come from the database clock, shared by every replica. The rows are always
 *   upserted in tier order, so concurrent statements lock them in the same order (no deadlock),
 *   and each row's update is atomic: N parallel hits on a fresh key see the counts 1..N.
 * - Redis: one Lua script (EVALSHA through ioredis `defineCommand`, which falls back to EVAL
 *   when the script is not cached), which Redis runs atomically: for each key, a new window
 *   (SET … PX) when the key has no time to live, else INCRBY; PEXPIRETIME (Redis ≥ 7.0) names
 *   the window.
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
  /** When the window ends, in the store's clock (ms since the epoch): which window was counted. */
  windowEnd?: number;
}

/** Points given back to a tier, if its window is still the one that ends at `windowEnd`. */
export interface Refund {
  points: number;
  windowEnd: number;
}

export interface HitOptions {
  /** Points to add to every key (default 1). */
  points?: number;
  /** Per key (same order): unspent points of an earlier lease to give back. */
  refunds?: readonly (Refund | undefined)[];
}

export interface TierStore {
  /** Add points to each key (whose windows are `windowsMs`, same order); one round trip. */
  hit(keys: readonly string[], windowsMs: readonly number[], options?: HitOptions): Promise<TierCount[]>;
}

export function postgresTierStore(sql: Sql): TierStore {
  return {
    async hit(keys, windowsMs, options = {}) {
      const add = options.points ?? 1;
      const values = keys.map((_, i) => `($${i * 4 + 2}::varchar, $${i * 4 + 3}::bigint, ${i}, $${i * 4 + 4}::int, $${i * 4 + 5}::bigint)`).join(', ');
      const params = [
        add,
        ...keys.flatMap((k, i) => {
          const refund = options.refunds?.[i];
          return [k, windowsMs[i]!, refund?.points ?? 0, refund?.windowEnd ?? -1];
        }),
      ];
      // `points` of the insert carries the refund's window along: excluded.points is what is added.
      const rows = await sql.unsafe<{ key: string; points: number; expire: number; now_ms: number }[]>(
        `with n as (select (extract(epoch from clock_timestamp()) * 1000)::bigint as now_ms),
         t as (select k, ms, ord, back, back_end from (values ${values}) as v(k, ms, ord, back, back_end))
         insert into rate_limits as r (key, points, expire)
         select t.k, $1::int, n.now_ms + t.ms from n, t order by t.ord
         on conflict (key) do update set
           points = case when r.expire is null or r.expire <= (select now_ms from n) then excluded.points
             else greatest(0, r.points + excluded.points - coalesce((select t.back from t where t.k = r.key and t.back_end = r.expire), 0)) end,
           expire = case when r.expire is null or r.expire <= (select now_ms from n) then excluded.expire else r.expire end
         returning r.key, r.points, r.expire, (select now_ms from n) as now_ms`,
        params as never[],
        { prepare: true },
      );
      const byKey = new Map(rows.map((row) => [row.key, row]));
      return keys.map((k) => {
        const row = byKey.get(k);
        if (!row) throw new Error(`rate limit row ${k} missing from the upsert`);
        return { points: Number(row.points), msLeft: Math.max(0, Number(row.expire) - Number(row.now_ms)), windowEnd: Number(row.expire) };
      });
    },
  };
}

/**
 * KEYS: the tier keys. ARGV, four per key: window ms, points to add, points given back, and the
 * window end (PEXPIRETIME, Redis 7) they were taken in. Returns points, ms left and window end,
 * flattened. A key without a time to live (none, or expired) opens a new window.
 */
const SCRIPT = `
local out = {}
for i, key in ipairs(KEYS) do
  local window = tonumber(ARGV[i * 4 - 3])
  local add = tonumber(ARGV[i * 4 - 2])
  local back = tonumber(ARGV[i * 4 - 1])
  local backEnd = tonumber(ARGV[i * 4])
  local points
  local ttl = redis.call('PTTL', key)
  if ttl < 0 then
    redis.call('SET', key, add, 'PX', window)
    points = add
    ttl = window
  else
    if back > 0 and redis.call('PEXPIRETIME', key) ~= backEnd then back = 0 end
    points = redis.call('INCRBY', key, add - back)
    if points < 0 then
      redis.call('INCRBY', key, -points)
      points = 0
    end
  end
  out[#out + 1] = points
  out[#out + 1] = ttl
  out[#out + 1] = redis.call('PEXPIRETIME', key)
end
return out
`;

type WithTiers = Redis & { rateLimitLeases(numberOfKeys: number, ...args: (string | number)[]): Promise<number[]> };

export function redisTierStore(redis: Redis): TierStore {
  const client = redis as WithTiers;
  if (typeof client.rateLimitLeases !== 'function') redis.defineCommand('rateLimitLeases', { lua: SCRIPT });
  return {
    async hit(keys, windowsMs, options = {}) {
      const add = options.points ?? 1;
      const args = windowsMs.flatMap((ms, i) => {
        const refund = options.refunds?.[i];
        return [ms, add, refund?.points ?? 0, refund?.windowEnd ?? -1];
      });
      const reply = await client.rateLimitLeases(keys.length, ...keys, ...args);
      return keys.map((_, i) => ({ points: Number(reply[i * 3]), msLeft: Math.max(0, Number(reply[i * 3 + 1])), windowEnd: Number(reply[i * 3 + 2]) }));
    },
  };
}
