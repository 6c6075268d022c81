/**
 * The exit book (src/activities/exit-book.ts, src/workflows/trade/book.ts): a held position is a
 * row every worker's book follows, not a watcher activity; the book decides on the price and
 * signals the trade. Runs on both brokers: on the paper exchange the book also passes on the
 * resting orders' changes, on Breeze a watch on them stays (its notices spend a call budget).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startExitBook } from '../../src/activities/exit-book-follow.ts';
import { bookExitWatch, type ExitWatch, exitWatches, unbookExitWatch } from '../../src/db/exit-watches.ts';
import { createQuoteRation } from '../../src/activities/quote-ration.ts';
import { tradesPort } from '../../src/temporal/trades.ts';
import { silentLogger } from '../support/logger.ts';
import { testBroker } from '../support/market.ts';
import { startStack, type TestStack } from '../support/stack.ts';
import { enter, eventually, hasStatus, market, waitForTrade } from '../support/trading.ts';
import { testPriceFeed } from '../support/price-feed.ts';

let stack: TestStack;
let trader: string;
const tcs = { symbol: 'TCS', exchange: 'NSE', product: 'CASH' } as const;

beforeAll(async () => {
  stack = await startStack({ symbols: ['TCS'], settings: { RISK_MAX_OPEN_POSITIONS: '10', RATE_LIMIT_TRADING: '1000,10000,100000,1000000' } });
  trader = (await stack.userWithRole('trader')).accessToken;
});
afterAll(async () => stack?.stop());

const pendingActivityTypes = async (tradeId: string) => ((await stack.client.workflow.getHandle(`trade-${tradeId}`).describe()).raw.pendingActivities ?? []).map((a) => a.activityType?.name);

describe('a held position on the exit book', () => {
  it('is a row, not a watcher: moved with its stop, judged by the book, and gone once closed', async () => {
    await stack.market.setQuote(tcs, 4000_00);
    const { body } = await enter(stack, trader, market('TCS', { stopLoss: 3950, target: 4100 }));
    expect(body.status).toBe('OPEN');
    const row = await eventually(async () => (await exitWatches(stack.db.sql, [`trade-${body.id}`]))[0], 30_000, 'the watch booked');
    // the target rests at the broker: the book watches the stop (the second line) and the resting orders
    expect(row).toMatchObject({ tradeId: body.id, side: 'BUY', stopLossPaise: 3950_00, targetPaise: undefined });
    expect(row.restingOrderIds).toHaveLength(testBroker() === 'paper' ? 2 : 0);
    // nothing runs for the position's price; on Breeze one watch stays on its resting orders
    await eventually(async () => {
      const pending = await pendingActivityTypes(body.id);
      return pending.join() === (testBroker() === 'paper' ? '' : 'watchProtection');
    }, 30_000, 'only the book watching');

    const moved = await stack.request(`/trades/${body.id}`, { method: 'PATCH', token: trader, body: JSON.stringify({ stopLoss: 3980 }) });
    expect(moved.status).toBe(200);
    await eventually(async () => (await exitWatches(stack.db.sql, [`trade-${body.id}`]))[0]?.stopLossPaise === 3980_00, 30_000, 'the moved stop booked');

    await stack.market.setQuote(tcs, 3979_00);
    const closed = await waitForTrade(stack, trader, body.id, hasStatus('CLOSED'));
    expect(closed.exitReason).toBe('STOP_LOSS');
    expect(await exitWatches(stack.db.sql, [`trade-${body.id}`])).toEqual([]);
  }, 120_000);
});

describe("a worker's book", () => {
  const watch = (n: number): ExitWatch => ({ workflowId: `book-test-${n}`, booking: `run:${n}`, tradeId: `bt${n}`, instrument: tcs, side: 'BUY', stopLossPaise: 100_00, restingOrderIds: [] });

  it('reads what the running trades booked when it starts, then follows every change', async () => {
    await bookExitWatch(stack.db.sql, watch(1));
    const told: string[] = [];
    const trades = { ...tradesPort(stack.client, stack.config), priceCrossed: (id: string) => (told.push(id), Promise.resolve('told' as const)) };
    const prices = testPriceFeed();
    const ration = createQuoteRation({ quote: (instrument) => stack.broker.quote(instrument), perMinute: 60 });
    const running = await startExitBook({ sql: stack.db.sql, prices, ration, log: silentLogger, trades, staleMs: 5_000 });
    try {
      expect(running.book.has('book-test-1')).toBe(true);
      await bookExitWatch(stack.db.sql, watch(2));
      await eventually(async () => running.book.has('book-test-2'), 10_000, 'a new booking seen');
      await unbookExitWatch(stack.db.sql, 'book-test-1');
      await eventually(async () => !running.book.has('book-test-1'), 10_000, 'a booking taken back');
      prices.push(tcs, 99_00);
      // told once every position of the price is decided (a microtask later)
      await eventually(async () => told.length > 0, 10_000, 'the crossing told');
      expect(told).toEqual(['book-test-2']);
    } finally {
      await running.close();
      await unbookExitWatch(stack.db.sql, 'book-test-2');
    }
  });
});
