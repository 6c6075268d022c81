/**
 * The rate-limit store in Redis (when REDIS_URL is set): the same sliding logs as the Postgres
 * store (migration 0020), checked and taken in one Lua script, which Redis runs atomically. Times
 * come from Redis's clock (`TIME`), shared by every worker.
 *
 * @module
 */
import { Redis } from 'ioredis';
import type { CallEffect } from '../breeze/http.ts';
import type { RateBudget, RateLimits, RateLimitStore, TakeResult } from './store.ts';

/**
 * KEYS: write log, call log, day-counter prefix, sequence. ARGV: write?, per second, per minute,
 * per day, second in ms, take? (0 = only report what is left). Times in microseconds; IST is
 * UTC+05:30 (19800 s) and has no daylight saving.
 */
const SCRIPT = `
local writes, calls, dayprefix, seqkey = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local is_write = ARGV[1] == '1'
local per_second, per_minute, per_day = tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
local second_us = tonumber(ARGV[5]) * 1000
local take = ARGV[6] == '1'
local t = redis.call('TIME')
local secs = tonumber(t[1])
local now = secs * 1000000 + tonumber(t[2])
local ist_day = math.floor((secs + 19800) / 86400)
local daykey = dayprefix .. ':' .. ist_day
redis.call('ZREMRANGEBYSCORE', writes, '-inf', now - second_us)
redis.call('ZREMRANGEBYSCORE', calls, '-inf', now - 60000000)
local nw = redis.call('ZCARD', writes)
local nc = redis.call('ZCARD', calls)
local nd = tonumber(redis.call('GET', daykey) or '0')
local function left(w, c, d)
  return math.max(0, per_second - w), math.max(0, per_minute - c), math.max(0, per_day - d)
end
if not take then
  local a, b, c = left(nw, nc, nd)
  return {0, 0, '', '', a, b, c}
end
local wait, reason = 0, ''
if nd >= per_day then
  reason = 'day'
  wait = ((ist_day + 1) * 86400 - 19800) * 1000000 - now
else
  if nc >= per_minute then
    local e = redis.call('ZRANGE', calls, nc - per_minute, nc - per_minute, 'WITHSCORES')
    wait = tonumber(e[2]) + 60000000 - now
    reason = 'minute'
  end
  if is_write and nw >= per_second then
    local e = redis.call('ZRANGE', writes, nw - per_second, nw - per_second, 'WITHSCORES')
    local w = tonumber(e[2]) + second_us - now
    if w > wait then wait = w; reason = 'second' end
  end
end
if reason ~= '' then
  local a, b, c = left(nw, nc, nd)
  return {0, math.max(1, math.ceil(wait / 1000)), reason, '', a, b, c}
end
local member = now .. ':' .. redis.call('INCR', seqkey)
redis.call('ZADD', calls, now, member)
redis.call('PEXPIRE', calls, 61000)
if is_write then
  redis.call('ZADD', writes, now, member)
  redis.call('PEXPIRE', writes, math.ceil(second_us / 1000) + 1000)
  nw = nw + 1
end
redis.call('INCR', daykey)
redis.call('EXPIRE', daykey, 172800)
local a, b, c = left(nw, nc + 1, nd + 1)
return {1, 0, '', tostring(math.floor(now / 1000)), a, b, c}
`;

type ScriptReply = [number, number, string, string, number, number, number];

/**
 * A store over the Redis at `url`. It connects on first use, and a Redis that is down makes
 * `take` fail (the caller's broker call fails as unavailable): it does not fall back to allowing
 * calls unchecked.
 */
export function redisRateLimitStore(url: string, prefix = 'breeze-trader:broker-rate'): RateLimitStore {
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 2, enableOfflineQueue: true });
  const keys = (key: string) => {
    // one hash tag: every key of a budget lands on the same cluster slot, as a script requires
    const base = `${prefix}:{${key}}`;
    return [`${base}:writes`, `${base}:calls`, `${base}:day`, `${base}:seq`];
  };
  const run = async (key: string, effect: CallEffect, limits: RateLimits, take: boolean) =>
    (await redis.eval(SCRIPT, 4, ...keys(key), effect === 'write' ? '1' : '0', limits.perSecond, limits.perMinute, limits.perDay, limits.secondMs, take ? '1' : '0')) as ScriptReply;
  return {
    kind: 'redis',
    async take(key: string, effect: CallEffect, limits: RateLimits): Promise<TakeResult> {
      const [admitted, waitMs, reason, takenAtMs, secondLeft, minuteLeft, dayLeft] = await run(key, effect, limits, true);
      const budget = { secondLeft, minuteLeft, dayLeft };
      if (admitted === 1) return { admitted: true, takenAt: new Date(Number(takenAtMs)), ...budget };
      return { admitted: false, waitMs, reason: reason as 'second' | 'minute' | 'day', ...budget };
    },
    async remaining(key: string, limits: RateLimits): Promise<RateBudget> {
      const [, , , , secondLeft, minuteLeft, dayLeft] = await run(key, 'read', limits, false);
      return { secondLeft, minuteLeft, dayLeft };
    },
    async close() {
      redis.disconnect();
    },
  };
}
