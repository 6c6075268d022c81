/**
 * The API rate limits count every tier of a request in one round trip to the shared store, and
 * stay exact under concurrency. The Redis cases need a Redis on 127.0.0.1:6379 (as
 * test/e2e/rate-limits.test.ts and test/integration/breeze-rate-limit.test.ts do).
 */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sql } from '../../src/db/pool.ts';
import { createRateLimiter, type RateLimiter } from '../../src/security/rate-limit.ts';
import { postgresTierStore, redisTierStore, type TierStore } from '../../src/security/rate-limit-store.ts';
import { testConfig } from '../support/config.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';

const REDIS_URL = 'redis://127.0.0.1:6379';

let db: TestDatabase;
let countedSql: Sql;
let redis: Redis;
let trips = 0;
beforeAll(async () => {
  db = await createTestDatabase();
  // every statement this pool sends is one round trip
  countedSql = postgres(db.url, { max: 10, onnotice: () => {}, debug: () => void trips++ }) as unknown as Sql;
  redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
  const send = redis.sendCommand.bind(redis);
  redis.sendCommand = ((...args: Parameters<typeof send>) => {
    trips++;
    return send(...args);
  }) as typeof send;
});
afterAll(async () => {
  redis?.disconnect();
  await countedSql?.end({ timeout: 5 });
  await db?.drop();
});

const prefix = `bt-test-${randomBytes(4).toString('hex')}:`;

function limiter(tierStore: TierStore | undefined, read: string, store: 'PostgreSQL' | 'Redis'): RateLimiter {
  const config = testConfig({ RATE_LIMIT_READ: read, ...(store === 'Redis' ? { REDIS_URL, REDIS_KEY_PREFIX: prefix } : {}) });
  return createRateLimiter(config, countedSql, tierStore ? { tierStore } : {});
}

describe.each([
  ['PostgreSQL', () => postgresTierStore(countedSql)],
  ['Redis', () => redisTierStore(redis)],
] as const)('API rate limits in %s', (store, makeStore) => {
  it('counts all four tiers of a request in one round trip', async () => {
    const rl = limiter(makeStore(), '5,20,100,500', store);
    try {
      // the first call may load the script into Redis (EVALSHA, then EVAL): count from the second
      await rl.consume('read', `warm-${randomBytes(4).toString('hex')}`);
      const caller = `one-trip-${randomBytes(4).toString('hex')}`;
      for (let i = 0; i < 3; i++) {
        const before = trips;
        const decision = await rl.consume('read', caller);
        expect(trips - before).toBe(1);
        expect(decision.allowed).toBe(true);
        expect(decision.limit).toMatch(/^"burst";r=\d;t=1$/);
      }
    } finally {
      await rl.close();
    }
  });

  it('lets exactly the burst through when 100 requests arrive at once', async () => {
    const rl = limiter(undefined, '7,1000,1000,1000', store);
    try {
      const caller = `parallel-${randomBytes(4).toString('hex')}`;
      const decisions = await Promise.all(Array.from({ length: 100 }, () => rl.consume('read', caller)));
      expect(decisions.filter((d) => d.allowed)).toHaveLength(7);
      const refused = decisions.filter((d) => !d.allowed);
      expect(refused).toHaveLength(93);
      expect(refused.every((d) => d.violatedPolicies?.join() === 'burst' && d.retryAfterSeconds === 1)).toBe(true);
    } finally {
      await rl.close();
    }
  });

  it('opens a new window once the old one has passed', async () => {
    const rl = limiter(makeStore(), '2,1000,1000,1000', store);
    try {
      const caller = `window-${randomBytes(4).toString('hex')}`;
      const first = await Promise.all([1, 2, 3].map(() => rl.consume('read', caller)));
      expect(first.filter((d) => d.allowed)).toHaveLength(2);
      await new Promise((r) => setTimeout(r, 1100));
      expect((await rl.consume('read', caller)).allowed).toBe(true);
    } finally {
      await rl.close();
    }
  });
});

describe.each(['PostgreSQL', 'Redis'] as const)('API rate limits in leases, in %s', (store) => {
  // A smallest tier of 100: leases of 10 points (src/security/rate-limit-lease.ts).
  const LIMITS = '100,150,10000,100000';

  /** A limiter whose Redis client is connected: before that, the in-memory insurance answers. */
  async function connected(rl: RateLimiter): Promise<RateLimiter> {
    for (let i = 0; i < 100; i++) {
      try {
        await rl.ping?.();
        return rl;
      } catch {
        await new Promise((r) => setTimeout(r, 20));
      }
    }
    return rl;
  }

  it('never lets two replicas together exceed the limit, and holds back at most a lease less one each', async () => {
    const [a, b] = await Promise.all([connected(limiter(undefined, LIMITS, store)), connected(limiter(undefined, LIMITS, store))]);
    try {
      const caller = `lease-${randomBytes(4).toString('hex')}`;
      expect((await a.consume('read', caller)).allowed).toBe(true); // replica a holds 9 more
      const fromB: boolean[] = [];
      for (let i = 0; i < 95; i++) fromB.push((await b.consume('read', caller)).allowed);
      expect(fromB.filter(Boolean)).toHaveLength(90);
      const fromA: boolean[] = [];
      for (let i = 0; i < 10; i++) fromA.push((await a.consume('read', caller)).allowed);
      expect(fromA).toEqual([...Array<boolean>(9).fill(true), false]);
      const refused = await b.consume('read', caller);
      expect(refused.violatedPolicies).toEqual(['burst']);
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('lets exactly the limit through when 300 requests arrive at once on two replicas', async () => {
    const [a, b] = await Promise.all([connected(limiter(undefined, LIMITS, store)), connected(limiter(undefined, LIMITS, store))]);
    try {
      const caller = `lease-parallel-${randomBytes(4).toString('hex')}`;
      const decisions = await Promise.all(Array.from({ length: 300 }, (_, i) => (i % 2 ? a : b).consume('read', caller)));
      const allowed = decisions.filter((d) => d.allowed).length;
      expect(allowed).toBeLessThanOrEqual(100);
      expect(allowed).toBeGreaterThanOrEqual(100 - 2 * 9);
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('costs one round trip per lease, not per request', async () => {
    const rl = await connected(limiter(store === 'PostgreSQL' ? postgresTierStore(countedSql) : redisTierStore(redis), LIMITS, store));
    try {
      const caller = `lease-trips-${randomBytes(4).toString('hex')}`;
      await rl.consume('read', caller);
      const before = trips;
      for (let i = 0; i < 9; i++) expect((await rl.consume('read', caller)).allowed).toBe(true);
      expect(trips - before).toBe(0);
      await rl.consume('read', caller);
      expect(trips - before).toBe(1);
    } finally {
      await rl.close();
    }
  });

  it('gives back the unspent points of a lease to a window that is still open', async () => {
    const rl = await connected(limiter(undefined, LIMITS, store));
    try {
      const caller = `lease-refund-${randomBytes(4).toString('hex')}`;
      await rl.consume('read', caller); // leases 10 points; the minute tier counts 10
      await new Promise((r) => setTimeout(r, 1100)); // the burst window, and with it the lease, ends
      const second = await rl.consume('read', caller);
      // A new lease of 10, and 9 given back to the minute: 2 used of 150, not 11.
      expect(second.limit).toMatch(/^"minute";r=148;t=\d+$/);
    } finally {
      await rl.close();
    }
  });
});

describe('API rate limits while the store is down', () => {
  it('still limits each process on its own, in memory', async () => {
    const failures: unknown[] = [];
    const down: TierStore = { hit: () => Promise.reject(new Error('store down')) };
    const config = testConfig({ RATE_LIMIT_READ: '3,1000,1000,1000' });
    const rl = createRateLimiter(config, countedSql, { tierStore: down, onStoreError: (err) => failures.push(err) });
    const decisions = await Promise.all(Array.from({ length: 10 }, () => rl.consume('read', 'caller')));
    expect(decisions.filter((d) => d.allowed)).toHaveLength(3);
    expect(decisions.find((d) => !d.allowed)?.limit).toMatch(/^"burst";r=0;t=1$/);
    expect(failures).toHaveLength(10);
  });
});
