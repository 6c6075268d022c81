/**
 * Writers of many prices at once (the worker's price recorder, a risk check recording streamed
 * prices) run concurrently on the same instruments; they must never deadlock each other.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { lastPrices, recordPrices } from '../../src/db/market-prices.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { eventually } from '../support/trading.ts';

let db: TestDatabase;

beforeAll(async () => {
  db = await createTestDatabase();
  // the driver learns the array types on its first connection: an array sent before that goes as text
  await db.sql`select 1`;
});
afterAll(async () => db?.drop());

it('writes many prices in instrument order, so two writers at once never deadlock', async () => {
  const at = new Date('2026-12-04T04:00:00Z');
  const price = (instrumentKey: string, pricePaise: number, t = at) => ({ instrumentKey, pricePaise, at: t });
  await recordPrices(db.sql, [price('NSE:AAA:CASH', 100), price('NSE:BBB:CASH', 200)]);

  // Another writer is halfway: it holds AAA's row (the first in order) and will write BBB's next.
  const later = new Date(at.getTime() + 1000);
  let release: () => void = () => {};
  const holding = new Promise<void>((r) => (release = r));
  const other = db.sql.begin(async (tx) => {
    await tx`select 1 from market_prices where instrument_key = 'NSE:AAA:CASH' for update`;
    await holding;
    await recordPrices(tx, [price('NSE:BBB:CASH', 201, later)]);
  });
  await eventually(async () => (await db.admin<{ n: number }[]>`select count(*)::int as n from pg_locks where relation = 'market_prices'::regclass and granted`)[0]!.n > 0, 5000, 'the row held');

  // This writer lists BBB first: written as listed, it would take BBB, wait for AAA, and the
  // other's BBB would close the circle.
  const mine = recordPrices(db.sql, [price('NSE:BBB:CASH', 202, later), price('NSE:AAA:CASH', 102, later)]);
  await eventually(
    async () => (await db.admin<{ n: number }[]>`select count(*)::int as n from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'`)[0]!.n > 0,
    5000,
    'this writer waiting',
  );
  release();
  await expect(Promise.all([other, mine])).resolves.toBeDefined();
  const prices = await lastPrices(db.sql, ['NSE:AAA:CASH', 'NSE:BBB:CASH']);
  expect(prices.get('NSE:AAA:CASH')?.pricePaise).toBe(102);
  expect(prices.get('NSE:BBB:CASH')?.pricePaise).toBe(202);
});

it('reads the prices of any number of instruments with one prepared statement', async () => {
  const at = new Date('2026-12-04T05:00:00Z');
  const keys = ['NSE:P1:CASH', 'NSE:P2:CASH', 'NSE:P3:CASH', 'NSE:P4:CASH'];
  await recordPrices(db.sql, keys.map((instrumentKey, i) => ({ instrumentKey, pricePaise: 1000 + i, at })));
  // One connection, as a transaction's reads are: an `in` list would be a statement per count,
  // each parsed and described in a round trip of its own before it runs.
  const conn = await db.sql.reserve();
  try {
    for (let n = 1; n <= keys.length; n++) {
      const prices = await lastPrices(conn, keys.slice(0, n));
      expect([...prices].map(([k, p]) => [k, p.pricePaise]).sort()).toEqual(keys.slice(0, n).map((k, i) => [k, 1000 + i]));
    }
    expect(await lastPrices(conn, ['NSE:NEVER:CASH'])).toEqual(new Map());
    const prepared = await conn<{ n: number }[]>`select count(*)::int as n from pg_prepared_statements where statement like '%as price, at from market_prices%' and statement not like '%pg_prepared_statements%'`;
    expect(prepared[0]!.n).toBe(1);
  } finally {
    conn.release();
  }
});
