/**
 * The worker's one price feed: Breeze's prices over Socket.IO from the emulator (stop-losses decided
 * on streamed ticks, no REST quotes while the stream is live, rooms joined again after the
 * connection dropped), and the paper exchange's prices over LISTEN/NOTIFY.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBreezeStreams } from '../../src/broker/breeze/create.ts';
import { PaperExchange } from '../../src/broker/paper/exchange.ts';
import { createPaperFeed } from '../../src/broker/paper/feed.ts';
import type { PriceTick } from '../../src/broker/price-feed.ts';
import type { BreezeEmulator } from '../../tools/breeze-emulator/types.ts';
import { startBreezeHarness } from '../support/breeze.ts';
import { silentLogger } from '../support/logger.ts';
import { ownAccountId, startStack, type TestStack } from '../support/stack.ts';
import { enter, eventually, hasStatus, market, waitForTrade } from '../support/trading.ts';

const relind = { exchange: 'NSE', stockCode: 'RELIND', product: 'cash' } as const;
const RELIANCE = { symbol: 'RELIANCE', exchange: 'NSE', product: 'CASH' } as const;

describe('a stop-loss watched on prices streamed from Breeze', () => {
  let emulator: BreezeEmulator;
  let stack: TestStack;
  let trader: string;
  beforeAll(async () => {
    // the emulator ticks only when its price changes: a quiet minute is not yet stale here
    stack = await startStack({ testBroker: 'breeze', settings: { ACCOUNT_ID: ownAccountId(), PRICE_STALE_S: '120' } });
    emulator = stack.emulator!;
    emulator.setQuote(relind, { ltpPaise: 2450_00 });
    trader = (await stack.userWithRole('trader')).accessToken;
  });
  afterAll(async () => stack?.stop());

  it('closes as STOP_LOSS when the streamed price moves through the stop, asking REST for no quote meanwhile', async () => {
    const { status, body } = await enter(stack, trader, market('RELIANCE', { quantity: 2, stopLoss: 2400 }));
    expect(status).toBe(201);
    await waitForTrade(stack, trader, body.id, hasStatus('OPEN'));
    // the watcher is subscribed once the stream delivers a price to it
    const quotesBefore = emulator.sent('GET', 'quotes').length;
    let price = 2440_00;
    await eventually(async () => {
      emulator.setQuote(relind, { ltpPaise: (price += 5) });
      return (stack.prices.latest(RELIANCE)?.lastPricePaise ?? 0) > 2440_00;
    }, 30_000, 'a streamed tick');
    emulator.setQuote(relind, { ltpPaise: 2390_00 });
    const closed = await waitForTrade(stack, trader, body.id, hasStatus('CLOSED'));
    expect(closed.exitReason).toBe('STOP_LOSS');
    // the exit is a "market" order priced off one REST quote (docs/breeze-api.md#market-orders); the watching asked for none
    expect(emulator.sent('GET', 'quotes').length - quotesBefore).toBeLessThanOrEqual(1);
  }, 120_000);
});

describe("Breeze's quote stream", () => {
  it('joins its rooms again after the emulator dropped every connection', async () => {
    const harness = await startBreezeHarness();
    const streams = createBreezeStreams({ config: harness.config, sql: harness.db.sql, log: silentLogger });
    try {
      const ticks: number[] = [];
      streams.prices.watch(RELIANCE, (t: PriceTick) => ticks.push(t.lastPricePaise));
      // the subscription joins once the security master and the session are read: tick until one arrives
      let price = 2450_00;
      await eventually(async () => {
        harness.emulator.setQuote(relind, { ltpPaise: (price += 5) });
        return ticks.length > 0;
      }, 30_000, 'the first tick');
      await harness.emulator.down();
      await eventually(async () => streams.prices.latest(RELIANCE)?.stale === true, 10_000, 'stale while down');
      await harness.emulator.up();
      const before = ticks.length;
      await eventually(async () => {
        harness.emulator.setQuote(relind, { ltpPaise: (price += 5) });
        return ticks.length > before;
      }, 30_000, 'a tick after the reconnect');
      expect(streams.prices.latest(RELIANCE)?.stale).toBe(false);
    } finally {
      await streams.prices.close();
      await harness.stop();
    }
  }, 90_000);
});

describe("the paper exchange's feed", () => {
  let stack: TestStack;
  let trader: string;
  beforeAll(async () => {
    stack = await startStack({ noWorker: true, settings: { ACCOUNT_ID: ownAccountId() } });
    trader = (await stack.userWithRole('admin')).accessToken;
  });
  afterAll(async () => stack?.stop());

  it('delivers a quote set through POST /paper/quotes to a watcher over LISTEN/NOTIFY', async () => {
    // no refresh within the test: the price can only come by NOTIFY
    const feed = await createPaperFeed({ sql: stack.db.sql, quote: (i) => stack.paper.quote(i), staleMs: 60_000, refreshMs: 3_600_000 });
    const itc = { symbol: 'ITC', exchange: 'NSE', product: 'CASH' } as const;
    try {
      const ticks: number[] = [];
      feed.watch(itc, (t) => ticks.push(t.lastPricePaise));
      const res = await stack.request('/paper/quotes', { method: 'POST', token: trader, body: JSON.stringify({ symbol: 'ITC', exchange: 'NSE', product: 'CASH', price: 456.75 }) });
      expect(res.status).toBeLessThan(300);
      await eventually(async () => ticks.includes(456_75), 10_000, 'the notified price');
      expect(feed.latest(itc)).toMatchObject({ lastPricePaise: 456_75, stale: false });
    } finally {
      await feed.close();
    }
  });

  it('keeps a pinned price fresh and walks the others, reading the pinned ones together each round', async () => {
    const walking = new PaperExchange({ sql: stack.db.sql, marketHours: 'always', slippageBps: 0, randomWalk: true, seed: 7, stepMs: 50 });
    const tcs = { symbol: 'TCS', exchange: 'NSE', product: 'CASH' } as const;
    const hdfc = { symbol: 'HDFCBANK', exchange: 'NSE', product: 'CASH' } as const;
    const infy = { symbol: 'INFY', exchange: 'NSE', product: 'CASH' } as const;
    await walking.setQuote(tcs, 3500_00);
    await walking.setQuote(hdfc, 1600_00);
    const rounds: number[] = [];
    const feed = await createPaperFeed({
      sql: stack.db.sql,
      quote: (i) => walking.quote(i),
      unmovedQuotes: async (instruments) => {
        const unmoved = await walking.unmovedQuotes(instruments);
        rounds.push(unmoved.size);
        return unmoved;
      },
      staleMs: 500,
      refreshMs: 100,
    });
    try {
      const walked = new Set<number>();
      for (const instrument of [tcs, hdfc]) feed.watch(instrument, () => {});
      feed.watch(infy, (t) => walked.add(t.lastPricePaise));
      await eventually(async () => walked.size >= 3, 10_000, 'the walking price moving');
      await new Promise((r) => setTimeout(r, 600)); // past the staleness window: only the rounds keep the pinned prices fresh
      expect(feed.latest(tcs)).toMatchObject({ lastPricePaise: 3500_00, stale: false });
      expect(feed.latest(hdfc)).toMatchObject({ lastPricePaise: 1600_00, stale: false });
      expect(rounds.filter((n) => n === 2).length).toBeGreaterThan(3); // both pinned ones, from one read a round
    } finally {
      await feed.close();
    }
  });
});
