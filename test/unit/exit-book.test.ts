/**
 * The exit book (src/activities/exit-book.ts): every held position's levels judged on each tick of
 * its instrument by one book per worker, the trade told once per booking, REST quotes for a stale
 * feed one per instrument, and resting orders' changes passed on.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ExitBook, type ExitBookOptions } from '../../src/activities/exit-book.ts';
import type { PriceCrossed } from '../../src/activities/ports.ts';
import { OrderNoticeBoard } from '../../src/broker/order-notices.ts';
import type { ExitWatch } from '../../src/db/exit-watches.ts';
import type { Instrument } from '../../src/domain/trade.ts';
import { silentLogger } from '../support/logger.ts';
import { testPriceFeed } from '../support/price-feed.ts';

const sbin: Instrument = { symbol: 'SBIN', exchange: 'NSE', product: 'CASH' };
const infy: Instrument = { symbol: 'INFY', exchange: 'NSE', product: 'CASH' };

const watch = (over: Partial<ExitWatch> = {}): ExitWatch => ({
  workflowId: 'trade-1',
  booking: 'run-a:1',
  tradeId: '1',
  instrument: sbin,
  side: 'BUY',
  stopLossPaise: 790_00,
  targetPaise: 830_00,
  restingOrderIds: [],
  ...over,
});

function setup(over: Partial<ExitBookOptions> = {}) {
  const prices = testPriceFeed({ staleMs: 5000 });
  const crossed: { workflowId: string; crossed: PriceCrossed }[] = [];
  const changed: string[] = [];
  const forgotten: string[] = [];
  const quotes: string[] = [];
  const options: ExitBookOptions = {
    prices,
    ration: {
      get: (instrument) => {
        quotes.push(instrument.symbol);
        return Promise.resolve({ instrument, lastPricePaise: 780_00, at: new Date().toISOString() } as never);
      },
    },
    trades: {
      priceCrossed: (workflowId, c) => {
        crossed.push({ workflowId, crossed: c });
        return Promise.resolve('told');
      },
      protectionChanged: (workflowId) => {
        changed.push(workflowId);
        return Promise.resolve('told');
      },
    },
    record: () => {},
    forget: (workflowId) => {
      forgotten.push(workflowId);
      return Promise.resolve();
    },
    log: silentLogger,
    staleMs: 5000,
    ...over,
  };
  const book = new ExitBook(options);
  return { book, prices, crossed, changed, forgotten, quotes };
}

const flush = () => new Promise((r) => setImmediate(r));

afterEach(() => vi.useRealTimers());

describe('the exit book', () => {
  it('tells a long its stop was crossed once, naming the booking, and leaves other positions alone', async () => {
    const { book, prices, crossed } = setup();
    book.put(watch());
    book.put(watch({ workflowId: 'trade-2', booking: 'run-b:1', tradeId: '2', side: 'SELL', stopLossPaise: 810_00, targetPaise: 770_00 }));
    prices.push(sbin, 800_00);
    expect(crossed).toEqual([]);
    prices.push(sbin, 789_00);
    prices.push(sbin, 785_00);
    await flush();
    expect(crossed).toHaveLength(1);
    expect(crossed[0]).toMatchObject({ workflowId: 'trade-1', crossed: { trigger: 'STOP_LOSS', lastPricePaise: 789_00, booking: 'run-a:1' } });
    // the short's target is below: the same fall reaches it
    prices.push(sbin, 769_00);
    await flush();
    expect(crossed.map((c) => [c.workflowId, c.crossed.trigger])).toEqual([
      ['trade-1', 'STOP_LOSS'],
      ['trade-2', 'TARGET'],
    ]);
    book.close();
  });

  it('decides every position of a price before it tells the first trade (telling is client work that must not delay the next decision)', async () => {
    const decided: string[] = [];
    const toldWhenDecided: number[] = [];
    const { book, prices, crossed } = setup({
      latency: {
        tickToDecision: (reason: string) => {
          decided.push(reason);
          toldWhenDecided.push(crossed.length);
        },
      } as never,
    });
    for (let i = 1; i <= 20; i++) book.put(watch({ workflowId: `trade-${i}`, booking: `run-${i}:1`, tradeId: String(i) }));
    prices.push(sbin, 789_00);
    expect(decided).toHaveLength(20);
    expect(toldWhenDecided.every((n) => n === 0)).toBe(true);
    await flush();
    expect(crossed.map((c) => c.workflowId).sort()).toEqual(Array.from({ length: 20 }, (_, i) => `trade-${i + 1}`).sort());
    book.close();
  });

  it('judges a new booking afresh, at once against the last price', async () => {
    const { book, prices, crossed } = setup();
    book.put(watch());
    prices.push(sbin, 789_00);
    await flush();
    // the same booking read again (a reconnect) is not told twice
    book.replaceAll([watch()]);
    await flush();
    expect(crossed).toHaveLength(1);
    // the trade booked again (its exit did not fill, or it continued as new): the price is still through the stop
    book.put(watch({ booking: 'run-a:2' }));
    await flush();
    expect(crossed.map((c) => c.crossed.booking)).toEqual(['run-a:1', 'run-a:2']);
    // a stop moved under the price: nothing to say
    book.put(watch({ booking: 'run-a:3', stopLossPaise: 780_00 }));
    await flush();
    expect(crossed).toHaveLength(2);
    book.close();
  });

  it('tells the trade again on a later price when telling failed', async () => {
    let fail = true;
    const told: PriceCrossed[] = [];
    const { book, prices } = setup({
      trades: {
        priceCrossed: (_id, c) => {
          if (fail) return Promise.reject(new Error('workflow engine unreachable'));
          told.push(c);
          return Promise.resolve('told');
        },
        protectionChanged: () => Promise.resolve('told'),
      },
      now: () => Date.now() + (fail ? 0 : 10_000),
    });
    book.put(watch());
    prices.push(sbin, 789_00);
    await flush();
    expect(told).toEqual([]);
    fail = false;
    prices.push(sbin, 788_00);
    await flush();
    expect(told.map((c) => c.lastPricePaise)).toEqual([788_00]);
    book.close();
  });

  it('forgets the watch of a trade that has finished', async () => {
    const { book, prices, forgotten } = setup({
      trades: { priceCrossed: () => Promise.resolve('gone'), protectionChanged: () => Promise.resolve('gone') },
    });
    book.put(watch());
    prices.push(sbin, 789_00);
    await flush();
    expect(forgotten).toEqual(['trade-1']);
    expect(book.has('trade-1')).toBe(false);
    book.close();
  });

  it('asks one rationed REST quote per stale instrument, for all its positions', async () => {
    vi.useFakeTimers();
    const { book, prices, crossed, quotes } = setup();
    book.put(watch());
    book.put(watch({ workflowId: 'trade-2', booking: 'run-b:1', tradeId: '2' }));
    book.put(watch({ workflowId: 'trade-3', booking: 'run-c:1', tradeId: '3', instrument: infy, stopLossPaise: 700_00 }));
    prices.push(sbin, 800_00);
    prices.push(infy, 800_00);
    await vi.advanceTimersByTimeAsync(2000);
    expect(quotes).toEqual([]);
    prices.silence(sbin);
    await vi.advanceTimersByTimeAsync(1000);
    expect(quotes).toEqual(['SBIN']);
    // the quote (780) is through both SBIN stops; INFY's feed is live and its stop far
    expect(crossed.map((c) => c.workflowId).sort()).toEqual(['trade-1', 'trade-2']);
    book.close();
  });

  it('gives a new subscription one staleness window before asking REST', async () => {
    vi.useFakeTimers();
    const { book, quotes } = setup();
    book.put(watch());
    await vi.advanceTimersByTimeAsync(4000);
    expect(quotes).toEqual([]);
    await vi.advanceTimersByTimeAsync(2000);
    expect(quotes).toEqual(['SBIN']);
    book.close();
  });

  it("passes a resting order's change on to its trade, and stops listening once the watch goes", async () => {
    const board = new OrderNoticeBoard();
    const { book, changed } = setup({ orderChanges: board });
    book.put(watch({ restingOrderIds: ['P1', 'P2'] }));
    board.notify('P2');
    await flush();
    expect(changed).toEqual(['trade-1']);
    book.remove('trade-1');
    board.notify('P1');
    await flush();
    expect(changed).toEqual(['trade-1']);
    book.close();
  });

  it('tells every trade with resting orders to look when the whole book is read (a change while no worker listened is announced to no one)', async () => {
    const board = new OrderNoticeBoard();
    const { book, changed } = setup({ orderChanges: board });
    book.replaceAll([watch({ restingOrderIds: ['P1'] }), watch({ workflowId: 'trade-2', booking: 'run-b:1', tradeId: '2' })]);
    await flush();
    expect(changed).toEqual(['trade-1']);
    book.close();
  });
});
