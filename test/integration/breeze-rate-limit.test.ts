import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BrokerUnavailableError } from '../../src/broker/errors.ts';
import { createRateLimiter } from '../../src/broker/rate-limit/limiter.ts';
import { asOrderAction } from '../../src/broker/rate-limit/priority.ts';
import { postgresRateLimitStore } from '../../src/broker/rate-limit/postgres-store.ts';
import { redisRateLimitStore } from '../../src/broker/rate-limit/redis-store.ts';
import type { RateLimits, RateLimitStore } from '../../src/broker/rate-limit/store.ts';
import { createSql, type Sql } from '../../src/db/pool.ts';
import { type BreezeHarness, newTag, RELIANCE, startBreezeHarness } from '../support/breeze.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';

const REDIS_URL = 'redis://127.0.0.1:6379';

let db: TestDatabase;
let secondPool: Sql;
beforeAll(async () => {
  db = await createTestDatabase();
  // a second pool is what a second worker process has
  secondPool = createSql(db.url, { max: 5, idleTimeoutS: 5, connectTimeoutS: 10, statementTimeoutMs: 30_000, applicationName: 'worker-2' });
});
afterAll(async () => {
  await secondPool?.end({ timeout: 5 });
  await db?.drop();
});

/** The largest number of admissions inside any window of `ms` milliseconds. */
function busiestWindow(times: Date[], ms: number): number {
  const sorted = times.map((t) => t.getTime()).sort((a, b) => a - b);
  let best = 0;
  for (let i = 0, j = 0; i < sorted.length; i++) {
    while (sorted[i]! - sorted[j]! >= ms) j++;
    best = Math.max(best, i - j + 1);
  }
  return best;
}

const generous: RateLimits = { perSecond: 5, perMinute: 1000, perDay: 100_000, secondMs: 1000 };

describe.each([
  ['PostgreSQL', () => [postgresRateLimitStore(db.sql), postgresRateLimitStore(secondPool)] as const],
  ['Redis', () => [redisRateLimitStore(REDIS_URL), redisRateLimitStore(REDIS_URL)] as const],
])('shared broker budget in %s', (_name, stores: () => readonly [RateLimitStore, RateLimitStore]) => {
  it('never admits more order actions a second than its rate across two workers', async () => {
    const key = `test-${randomBytes(6).toString('hex')}`;
    const [a, b] = stores();
    const workers = [a, b].map((store) => createRateLimiter({ store, limits: generous, maxWaitMs: 30_000, key }));
    try {
      const admitted = await Promise.all(workers.flatMap((w) => Array.from({ length: 12 }, () => w.acquire('write'))));
      expect(admitted).toHaveLength(24);
      expect(busiestWindow(admitted, 1000)).toBeLessThanOrEqual(5);
    } finally {
      await Promise.all(workers.map((w) => w.close()));
    }
  });

  it('counts reads and writes against the minute budget and fails fast when the wait is long', async () => {
    const key = `test-${randomBytes(6).toString('hex')}`;
    const [store] = stores();
    const limiter = createRateLimiter({ store, limits: { ...generous, perMinute: 3 }, maxWaitMs: 200, key });
    try {
      await limiter.acquire('read');
      await limiter.acquire('write');
      expect(await limiter.remaining()).toMatchObject({ minuteLeft: 1, dayLeft: 100_000 - 2 });
      await limiter.acquire('read');
      const err = await limiter.acquire('read').catch((e: unknown) => e);
      expect(err).toBeInstanceOf(BrokerUnavailableError);
      expect((err as BrokerUnavailableError).retryAfterSeconds).toBeGreaterThan(1);
      expect(await limiter.remaining()).toMatchObject({ minuteLeft: 0 });
    } finally {
      await limiter.close();
    }
  });

  it('keeps the order reserve: polls and quotes stop short of it, order actions may use it', async () => {
    const key = `test-${randomBytes(6).toString('hex')}`;
    const [store] = stores();
    const limiter = createRateLimiter({ store, limits: { ...generous, perMinute: 6, perDay: 8 }, orderReserve: { perMinute: 2, perDay: 3 }, maxWaitMs: 100, key });
    try {
      for (let i = 0; i < 4; i++) await limiter.acquire('read');
      const starved = await limiter.acquire('read').catch((e: unknown) => e);
      expect(starved).toBeInstanceOf(BrokerUnavailableError);
      expect((starved as Error).message).toContain('kept for orders');
      // An order action's own reads (its tag lookup, its quote) and its send still get through.
      await asOrderAction(() => limiter.acquire('read'));
      await limiter.acquire('write');
      expect(await limiter.remaining()).toMatchObject({ minuteLeft: 0 });
      expect(await asOrderAction(() => limiter.acquire('write')).catch((e: unknown) => e)).toBeInstanceOf(BrokerUnavailableError);
    } finally {
      await limiter.close();
    }
  });

  it('stops at the daily budget until the next IST day', async () => {
    const key = `test-${randomBytes(6).toString('hex')}`;
    const [store] = stores();
    const limiter = createRateLimiter({ store, limits: { ...generous, perDay: 2 }, maxWaitMs: 1000, key });
    try {
      await limiter.acquire('read');
      await limiter.acquire('read');
      const err = await limiter.acquire('read').catch((e: unknown) => e);
      expect(err).toBeInstanceOf(BrokerUnavailableError);
      expect((err as Error).message).toContain('per day');
      expect(await limiter.remaining()).toMatchObject({ dayLeft: 0 });
    } finally {
      await limiter.close();
    }
  });
});

describe('two Breeze clients sharing the budget', () => {
  let h: BreezeHarness;
  beforeAll(async () => {
    // the client budget (4/s) sits under Breeze's (5/s here), so Breeze never has to refuse
    h = await startBreezeHarness({ settings: { BROKER_MAX_ORDERS_PER_SECOND: '4', BROKER_RATE_WAIT_MS: '30000' }, emulator: { limits: { perSecond: 5 } } });
    h.emulator.setQuote({ exchange: 'NSE', stockCode: 'RELIND', product: 'cash' }, { ltpPaise: 245000 });
  });
  afterAll(async () => h?.stop());

  it('keeps two workers together under the broker order rate, so no order is refused', async () => {
    const other = h.clientWith();
    const tags = Array.from({ length: 12 }, () => newTag());
    const results = await Promise.all(
      tags.map((tag, i) => (i % 2 ? other : h.client).placeOrder({ accountId: 'main', tag, instrument: RELIANCE, side: 'BUY', quantity: 1, orderType: 'LIMIT', limitPricePaise: 240000 })),
    );
    expect(results.map((r) => r.tag).sort()).toEqual([...tags].sort());
    expect(h.emulator.sent('POST', 'order').filter((r) => r.outcome !== 200)).toEqual([]);
  });
});
