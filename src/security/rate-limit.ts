/**
 * Multi-tier rate limits (burst, minute, hour, day) per route class, with state shared by every
 * API replica: PostgreSQL by default, Redis when REDIS_URL is set.
 *
 * Built on rate-limiter-flexible (maintained, with Postgres and Redis stores, unions of tiers and
 * an in-memory insurance limiter when the store is down) rather than hand-rolled counters. Its
 * Postgres store speaks the `pg` driver's `query({ text, values })`; a five-line adapter over our
 * porsager pool avoids a second driver. Headers follow the IETF RateLimit fields draft
 * (draft-ietf-httpapi-ratelimit-headers-11): `RateLimit-Policy` lists every tier, `RateLimit`
 * reports the tightest one.
 *
 * @module
 */
import { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterPostgres, RateLimiterRedis, type RateLimiterRes, RateLimiterUnion } from 'rate-limiter-flexible';
import type { Config } from '../config.ts';
import type { Sql } from '../db/pool.ts';

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

export function createRateLimiter(config: Pick<Config, 'security' | 'redis'>, sql: Sql): RateLimiter {
  const redis = config.redis.REDIS_URL ? new Redis(config.redis.REDIS_URL, { maxRetriesPerRequest: 1, enableOfflineQueue: false, lazyConnect: false }) : undefined;
  const store: Store = redis ? { kind: 'redis', redis, prefix: config.redis.REDIS_KEY_PREFIX } : { kind: 'postgres', sql };
  const specs: Record<RouteClass, string> = {
    auth: config.security.RATE_LIMIT_AUTH,
    trading: config.security.RATE_LIMIT_TRADING,
    read: config.security.RATE_LIMIT_READ,
    webhook: config.security.RATE_LIMIT_WEBHOOK,
  };
  const classes = Object.fromEntries(
    ROUTE_CLASSES.map((cls) => {
      const tiers = parseTiers(specs[cls]);
      const limiters = tiers.map((t) => makeLimiter(store, `rl_${cls}_${t.name}`, t.points, t.seconds));
      const policy = tiers.map((t) => `"${t.name}";q=${t.points};w=${t.seconds}`).join(', ');
      return [cls, { tiers, union: new RateLimiterUnion(...limiters), policy }];
    }),
  ) as Record<RouteClass, { tiers: Tier[]; union: RateLimiterUnion; policy: string }>;
  const abuse = makeLimiter(store, 'rl_abuse', config.security.RATE_LIMIT_ABUSE_THRESHOLD, 600);

  return {
    async consume(cls, key) {
      const { tiers, union, policy } = classes[cls];
      const prefix = store.kind === 'redis' ? store.prefix : '';
      const byTier = (results: Record<string, RateLimiterRes>) =>
        tiers.map((t) => ({ tier: t, res: results[`${prefix}rl_${cls}_${t.name}`] })).filter((x): x is { tier: Tier; res: RateLimiterRes } => x.res !== undefined);
      try {
        const results = (await union.consume(key)) as Record<string, RateLimiterRes>;
        const tightest = byTier(results).sort((a, b) => a.res.remainingPoints / a.tier.points - b.res.remainingPoints / b.tier.points)[0];
        const limit = tightest ? `"${tightest.tier.name}";r=${tightest.res.remainingPoints};t=${Math.ceil(Math.max(tightest.res.msBeforeNext, 0) / 1000)}` : '';
        return { allowed: true, policy, limit };
      } catch (rejection) {
        if (rejection instanceof Error) throw rejection;
        const refused = byTier(rejection as Record<string, RateLimiterRes>);
        const worst = refused.sort((a, b) => b.res.msBeforeNext - a.res.msBeforeNext)[0];
        const retryAfterSeconds = Math.max(1, Math.ceil((worst?.res.msBeforeNext ?? 1000) / 1000));
        return {
          allowed: false,
          policy,
          limit: worst ? `"${worst.tier.name}";r=0;t=${retryAfterSeconds}` : '',
          retryAfterSeconds,
          violatedPolicies: refused.map((r) => r.tier.name),
        };
      }
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
