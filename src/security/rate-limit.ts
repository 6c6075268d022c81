/**
 * Multi-tier rate limits (burst, minute, hour, day) per route class, with state shared by every
 * API replica: PostgreSQL by default, Redis when REDIS_URL is set.
 *
 * Every tier of a request is counted in one round trip to the store (rate-limit-store.ts: one SQL
 * statement, or one Lua script), where rate-limiter-flexible's union of tiers made one per tier.
 * Where a class's limits are large, a replica counts a caller's requests in leases of several
 * points, one round trip per lease (rate-limit-lease.ts states the bounds).
 * rate-limiter-flexible still gives the in-memory insurance limiter used while the store is down,
 * and the abuse counter (its Postgres store speaks the `pg` driver's `query({ text, values })`; a
 * five-line adapter over our porsager pool avoids a second driver). Headers follow the IETF RateLimit fields draft
 * (draft-ietf-httpapi-ratelimit-headers-11): `RateLimit-Policy` lists every tier, `RateLimit`
 * reports the tightest one.
 *
 * @module
 */
import { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterPostgres, RateLimiterRedis, type RateLimiterRes } from 'rate-limiter-flexible';
import type { Config } from '../config.ts';
import type { Sql } from '../db/pool.ts';
import { type LeasedCount, leasedCounter, leaseSize } from './rate-limit-lease.ts';
import { postgresTierStore, redisTierStore, type TierCount, type TierStore } from './rate-limit-store.ts';

export const ROUTE_CLASSES = ['auth', 'trading', 'read', 'webhook'] as const;
export type RouteClass = (typeof ROUTE_CLASSES)[number];

const TIERS = [
  { name: 'burst', seconds: 1 },
  { name: 'minute', seconds: 60 },
  { name: 'hour', seconds: 3600 },
  { name: 'day', seconds: 86_400 },
] as const;

export interface Tier {
  name: string;
  points: number;
  seconds: number;
}

/** "5,20,100,500" → the four tiers; throws on anything else. */
export function parseTiers(spec: string): Tier[] {
  const points = spec.split(',').map((p) => Number(p.trim()));
  if (points.length !== TIERS.length || points.some((p) => !Number.isInteger(p) || p < 1)) {
    throw new Error(`rate limit "${spec}" must be four positive integers: per second, minute, hour, day`);
  }
  return TIERS.map((t, i) => ({ name: t.name, seconds: t.seconds, points: points[i]! }));
}

export interface Decision {
  allowed: boolean;
  /** `RateLimit-Policy` header value. */
  policy: string;
  /** `RateLimit` header value (the tightest tier). */
  limit: string;
  retryAfterSeconds?: number;
  violatedPolicies?: string[];
}

export interface RateLimiter {
  consume(cls: RouteClass, key: string): Promise<Decision>;
  /** Count one refused request of `ip`; true when the IP crossed the abuse threshold. */
  recordAbuse(ip: string): Promise<boolean>;
  close(): Promise<void>;
  /** Redis answers PING (present only when REDIS_URL is set): a readiness check. */
  ping?: () => Promise<void>;
}

type Store = { kind: 'postgres'; sql: Sql } | { kind: 'redis'; redis: Redis; prefix: string };

/** The abuse counter (only refused requests reach it): rate-limiter-flexible, with its insurance limiter. */
function makeLimiter(store: Store, keyPrefix: string, points: number, seconds: number) {
  const insuranceLimiter = new RateLimiterMemory({ keyPrefix, points, duration: seconds });
  if (store.kind === 'redis') {
    return new RateLimiterRedis({ storeClient: store.redis, keyPrefix: `${store.prefix}${keyPrefix}`, points, duration: seconds, insuranceLimiter });
  }
  const client = {
    query: async ({ text, values }: { text: string; values?: unknown[] }) => {
      const rows = await store.sql.unsafe(text, (values ?? []) as never[], { prepare: true });
      return { rows, rowCount: rows.count ?? rows.length };
    },
  };
  return new RateLimiterPostgres({ storeClient: client, storeType: 'pool', tableName: 'rate_limits', tableCreated: true, clearExpiredByTimeout: false, keyPrefix, points, duration: seconds, insuranceLimiter });
}

interface TierResult {
  tier: Tier;
  remaining: number;
  msLeft: number;
  refused: boolean;
}

/** The headers and the verdict from every tier's count. */
export function decide(tiers: readonly Tier[], counts: readonly TierCount[], policy: string): Decision {
  const results: TierResult[] = tiers.map((tier, i) => {
    const { points, msLeft } = counts[i]!;
    return { tier, remaining: Math.max(0, tier.points - points), msLeft, refused: points > tier.points };
  });
  const refused = results.filter((r) => r.refused);
  if (refused.length === 0) {
    const tightest = [...results].sort((a, b) => a.remaining / a.tier.points - b.remaining / b.tier.points)[0]!;
    return { allowed: true, policy, limit: `"${tightest.tier.name}";r=${tightest.remaining};t=${Math.ceil(tightest.msLeft / 1000)}` };
  }
  const worst = [...refused].sort((a, b) => b.msLeft - a.msLeft)[0]!;
  const retryAfterSeconds = Math.max(1, Math.ceil(worst.msLeft / 1000));
  return { allowed: false, policy, limit: `"${worst.tier.name}";r=0;t=${retryAfterSeconds}`, retryAfterSeconds, violatedPolicies: refused.map((r) => r.tier.name) };
}

/** While the store is down: each process counts on its own, in memory (the library's insurance limiter). */
function insuranceCounts(limiters: readonly RateLimiterMemory[], key: string): Promise<TierCount[]> {
  return Promise.all(
    limiters.map(async (l) => {
      const res = await l.consume(key).catch((rejection: unknown) => {
        if (rejection instanceof Error) throw rejection;
        return rejection as RateLimiterRes;
      });
      return { points: res.consumedPoints, msLeft: Math.max(0, res.msBeforeNext) };
    }),
  );
}

export interface RateLimiterOptions {
  /** Counters other than the configured store's (tests count round trips through one). */
  tierStore?: TierStore;
  /** Called when the store fails and the in-memory limiter answers instead. */
  onStoreError?: (err: unknown) => void;
}

export function createRateLimiter(config: Pick<Config, 'security' | 'redis'>, sql: Sql, options: RateLimiterOptions = {}): RateLimiter {
  const redis = config.redis.REDIS_URL ? new Redis(config.redis.REDIS_URL, { maxRetriesPerRequest: 1, enableOfflineQueue: false, lazyConnect: false }) : undefined;
  const store: Store = redis ? { kind: 'redis', redis, prefix: config.redis.REDIS_KEY_PREFIX } : { kind: 'postgres', sql };
  const tierStore = options.tierStore ?? (store.kind === 'redis' ? redisTierStore(store.redis) : postgresTierStore(store.sql));
  const prefix = store.kind === 'redis' ? store.prefix : '';
  const specs: Record<RouteClass, string> = {
    auth: config.security.RATE_LIMIT_AUTH,
    trading: config.security.RATE_LIMIT_TRADING,
    read: config.security.RATE_LIMIT_READ,
    webhook: config.security.RATE_LIMIT_WEBHOOK,
  };
  const classes = Object.fromEntries(
    ROUTE_CLASSES.map((cls) => {
      const tiers = parseTiers(specs[cls]);
      const policy = tiers.map((t) => `"${t.name}";q=${t.points};w=${t.seconds}`).join(', ');
      // keys as rate-limiter-flexible named them (`<prefix>rl_<class>_<tier>:<caller>`)
      const prefixes = tiers.map((t) => `${prefix}rl_${cls}_${t.name}`);
      const insurance = tiers.map((t) => new RateLimiterMemory({ keyPrefix: `rl_${cls}_${t.name}`, points: t.points, duration: t.seconds }));
      const windowsMs = tiers.map((t) => t.seconds * 1000);
      const size = leaseSize(tiers.map((t) => t.points));
      const count: LeasedCount = size > 1 ? leasedCounter(tierStore, { limits: tiers.map((t) => t.points), windowsMs, size }) : (keys) => tierStore.hit(keys, windowsMs);
      return [cls, { tiers, policy, prefixes, count, insurance }];
    }),
  ) as Record<RouteClass, { tiers: Tier[]; policy: string; prefixes: string[]; count: LeasedCount; insurance: RateLimiterMemory[] }>;
  const abuse = makeLimiter(store, 'rl_abuse', config.security.RATE_LIMIT_ABUSE_THRESHOLD, 600);

  return {
    async consume(cls, key) {
      const { tiers, policy, prefixes, count, insurance } = classes[cls];
      let counts: TierCount[];
      try {
        counts = await count(prefixes.map((p) => `${p}:${key}`));
      } catch (err) {
        options.onStoreError?.(err);
        counts = await insuranceCounts(insurance, key);
      }
      return decide(tiers, counts, policy);
    },
    async recordAbuse(ip) {
      try {
        await abuse.consume(ip);
        return false;
      } catch (rejection) {
        if (rejection instanceof Error) throw rejection;
        return true;
      }
    },
    async close() {
      redis?.disconnect();
    },
    ...(redis ? { ping: async () => void (await redis.ping()) } : {}),
  };
}
