/**
 * The API rate limit on its own: `consume()` of the read class (four tiers) at 50 in flight, for
 * one hot caller (every request of one user on the same four rows or keys) and for callers spread
 * over 1,000 keys, in PostgreSQL and in Redis. Counts the store round trips per request (the goal
 * of issue 17: one, where rate-limiter-flexible's union made four) and the consumes per second.
 */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import postgres from 'postgres';
import { loadConfig } from '../src/config.ts';
import { loadOrCreateDevSecrets } from '../src/config/dev-secrets.ts';
import type { Sql } from '../src/db/pool.ts';
import { createRateLimiter } from '../src/security/rate-limit.ts';
import { postgresTierStore, redisTierStore, type TierStore } from '../src/security/rate-limit-store.ts';
import { type BenchInfra, load, percentiles } from './infra.ts';

export async function benchRateLimit(infra: BenchInfra, options: { redisUrl?: string; requests?: number; concurrency?: number } = {}) {
  const total = options.requests ?? 5000;
  const concurrency = options.concurrency ?? 50;
  const config = loadConfig({ DATA_DIR: infra.dir, DATABASE_URL: infra.appUrl, LOG_LEVEL: 'silent', RATE_LIMIT_READ: '1000000,10000000,100000000,1000000000' }, { devSecrets: loadOrCreateDevSecrets });
  let trips = 0;
  // every statement this pool sends, or every command this client sends, is one round trip
  const sql = postgres(infra.appUrl, { max: 10, onnotice: () => {}, debug: () => void trips++ }) as unknown as Sql;
  const redis = options.redisUrl ? new Redis(options.redisUrl, { maxRetriesPerRequest: 1 }) : undefined;
  if (redis) {
    const send = redis.sendCommand.bind(redis);
    redis.sendCommand = ((...args: Parameters<typeof send>) => {
      trips++;
      return send(...args);
    }) as typeof send;
  }
  const prefix = `bench-${randomBytes(4).toString('hex')}:`;
  const tierStore: TierStore = redis ? redisTierStore(redis) : postgresTierStore(sql);
  const limiter = createRateLimiter(config, sql, { tierStore });
  try {
    await load(200, concurrency, (i) => limiter.consume('read', `${prefix}warm-${i % 100}`).then(() => undefined));
    const phase = async (key: (i: number) => string) => {
      const before = trips;
      const run = await load(total, concurrency, (i) => limiter.consume('read', key(i)).then(() => undefined));
      return { ...percentiles(run.latencies), perSecond: Math.round(total / run.seconds), roundTripsPerRequest: Math.round(((trips - before) / total) * 100) / 100 };
    };
    const hot = await phase(() => `${prefix}hot`);
    const spread = await phase((i) => `${prefix}caller-${i % 1000}`);
    return {
      store: redis ? 'redis' : 'postgres',
      requests: total,
      concurrency,
      oneCaller: hot,
      thousandCallers: spread,
      goal: 'one store round trip per request',
      met: hot.roundTripsPerRequest <= 1 && spread.roundTripsPerRequest <= 1,
    };
  } finally {
    await limiter.close();
    redis?.disconnect();
    await sql.end();
  }
}
