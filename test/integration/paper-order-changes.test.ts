/**
 * A resting stop on the paper exchange is watched on the exchange's own order notices (migration
 * 0200), not polled: the watch sees its fill at once, and after the listening connection drops it
 * looks again, so a change announced while it was down is not lost.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { awaitPaperProtection, PAPER_NET_LOOK_MS, type RestingLeg } from '../../src/activities/protection-watch.ts';
import type { LegInput } from '../../src/activities/orders.ts';
import { PaperExchange } from '../../src/broker/paper/exchange.ts';
import { listenPaperOrderChanges, type PaperOrderChanges } from '../../src/broker/paper/order-changes.ts';
import { PriceHub } from '../../src/broker/price-hub.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { eventually } from '../support/trading.ts';

let db: TestDatabase;
let exchange: PaperExchange;
let changes: PaperOrderChanges;
const prices = new PriceHub({ staleMs: 10_000 });
/** Shorter than the watch's safety-net look: a fill seen within it was seen on its notice. */
const WINDOW_MS = 20_000;

beforeAll(async () => {
  db = await createTestDatabase();
  exchange = new PaperExchange({ sql: db.sql, marketHours: 'always', slippageBps: 0, randomWalk: false, seed: 1 });
  changes = await listenPaperOrderChanges(db.sql);
});
afterAll(async () => {
  await changes?.close();
  await db?.drop();
});

/** A resting stop-loss (a stop-limit sell) on a pinned price, as the trade workflow places one. */
async function restingStop(symbol: string): Promise<RestingLeg> {
  const instrument = { symbol, exchange: 'NSE', product: 'CASH' } as const;
  await exchange.setQuote(instrument, 500_00);
  const tag = `stop-${symbol}`;
  const order = await exchange.placeOrder({ accountId: 'acct', tag, instrument, side: 'SELL', quantity: 10, orderType: 'STOP_LIMIT', triggerPricePaise: 490_00, limitPricePaise: 480_00 });
  expect(order.status).toBe('OPEN');
  const leg = { accountId: 'acct', tradeId: 't', tag, leg: 'STOP', instrument, side: 'SELL', quantity: 10, orderType: 'STOP_LIMIT', triggerPricePaise: 490_00 } as unknown as LegInput;
  return { which: 'STOP', leg, brokerOrderId: order.brokerOrderId };
}

it('sees a resting stop fill on its notice, long before the safety-net look', async () => {
  expect(WINDOW_MS).toBeLessThan(PAPER_NET_LOOK_MS);
  const stop = await restingStop('ITC');
  const watching = awaitPaperProtection(exchange, changes, prices, [stop], WINDOW_MS, 5_000);
  await new Promise((r) => setTimeout(r, 300)); // the watch's first look is done: it now waits
  await exchange.setQuote(stop.leg.instrument, 485_00); // through the trigger, within the limit: fills
  const ended = await watching;
  expect(ended).toMatchObject({ which: 'STOP', result: { status: 'FILLED', filledQuantity: 10 } });
});

it('looks again when its listening connection comes back: a change announced while it was down is not lost', async () => {
  const stop = await restingStop('SBIN');
  const watching = awaitPaperProtection(exchange, changes, prices, [stop], WINDOW_MS, 5_000);
  await new Promise((r) => setTimeout(r, 300));
  // drop the listening connection, and fill the stop at once (its notice may go out before the worker listens again)
  const dropped = await db.admin<{ pid: number }[]>`select pid from pg_stat_activity where datname = ${db.name} and query ilike 'listen%'`;
  expect(dropped.length).toBeGreaterThan(0);
  await db.admin`select pg_terminate_backend(pid) from pg_stat_activity where datname = ${db.name} and query ilike 'listen%'`;
  await exchange.setQuote(stop.leg.instrument, 485_00);
  const ended = await watching;
  expect(ended).toMatchObject({ which: 'STOP', result: { status: 'FILLED' } });
  // and it listens again: the next stop's fill is heard too
  await eventually(async () => (await db.admin`select 1 from pg_stat_activity where datname = ${db.name} and query ilike 'listen%'`).length > 0, 10_000, 'listening again');
  const next = await restingStop('INFY');
  const watchingNext = awaitPaperProtection(exchange, changes, prices, [next], WINDOW_MS, 5_000);
  await new Promise((r) => setTimeout(r, 300));
  await exchange.setQuote(next.leg.instrument, 485_00);
  expect(await watchingNext).toMatchObject({ which: 'STOP', result: { status: 'FILLED' } });
});
