/**
 * Budget arithmetic as a test (issue 13, item 6): three positions held through a whole NSE session
 * (09:15 to 15:30 IST, 375 minutes), each with a stop-loss and a target resting at the broker, on
 * Breeze's budget (100 calls a minute with 20 kept for orders, 5,000 a day with 500 kept).
 *
 * Why it is built this way: Temporal's time-skipping test server skips only while every workflow
 * waits on a timer; the watchers are activities that wait in real time, so a skipped session would
 * still take 375 real minutes. The workflow itself only starts one watch window after another
 * (hold.ts), so this test plays that part and runs the real activity code (watchExitTriggers,
 * watchProtection, with their per-worker rations) under vitest's fake timers, against a counting
 * broker whose streams come and go: prices stream for stretches and go stale for others, and the
 * order-notice stream drops at the same times, which is the worst case for REST reads. The same
 * holds for working entries and exits (awaitOrder): twenty waited on all session, however long.
 */
import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import { createActivities } from '../../src/activities/index.ts';
import type { ActivityDeps } from '../../src/activities/context.ts';
import type { LegInput } from '../../src/activities/orders.ts';
import type { ProtectionEnded, RestingLeg } from '../../src/activities/protection.ts';
import type { WatchResult } from '../../src/activities/exit-triggers.ts';
import { OrderNoticeBoard } from '../../src/broker/order-notices.ts';
import { PriceHub } from '../../src/broker/price-hub.ts';
import type { Broker, BrokerOrder } from '../../src/broker/types.ts';
import type { Sql } from '../../src/db/pool.ts';
import { SESSION_MINUTES } from '../../src/domain/quote-budget.ts';
import type { Instrument } from '../../src/domain/trade.ts';
import { testConfig } from '../support/config.ts';
import { silentLogger } from '../support/logger.ts';

const CALLS = { perMinute: 100, perDay: 5000, reservePerMinute: 20, reservePerDay: 500 };
const OPEN = Date.parse('2026-01-05T03:45:00.000Z'); // 09:15 IST
const WINDOW_MS = 5 * 60_000;
const MINUTE = 60_000;

interface Position {
  instrument: Instrument;
  pricePaise: number;
  stop: BrokerOrder & { triggerPaise: number };
  target: BrokerOrder & { limitPaise: number };
  /** When the price watcher saw the stop or target, and when the protection watch saw a leg end. */
  priceSaw?: { at: number; result: WatchResult };
  brokerSaw?: { at: number; result: ProtectionEnded };
}

beforeEach(() => {
  vi.useFakeTimers({ now: OPEN });
});
afterEach(() => {
  vi.useRealTimers();
});

/** The exchange, as a broker that counts every call and fills resting stops and targets at a price through them. */
function exchange(positions: Position[], notices: OrderNoticeBoard) {
  const calls: number[] = [];
  const find = (id: string) => positions.flatMap((p) => [p.stop, p.target]).find((o) => o.brokerOrderId === id)!;
  const broker = {
    name: 'breeze',
    async getOrder(_account: string, id: string) {
      calls.push(Date.now());
      return { ...find(id) };
    },
    async quote(instrument: Instrument) {
      calls.push(Date.now());
      const p = positions.find((x) => x.instrument.symbol === instrument.symbol)!;
      return { lastPricePaise: p.pricePaise, at: new Date().toISOString() };
    },
  } as unknown as Broker;
  function move(p: Position, pricePaise: number) {
    p.pricePaise = pricePaise;
    const fill = (o: BrokerOrder) => {
      if (o.status !== 'OPEN') return;
      Object.assign(o, { status: 'FILLED', filledQuantity: o.quantity, averagePricePaise: pricePaise });
      if (notices.connected()) notices.notify(o.brokerOrderId);
    };
    if (pricePaise <= p.stop.triggerPaise) fill(p.stop);
    if (pricePaise >= p.target.limitPaise) fill(p.target);
  }
  return { broker, calls, move };
}

function position(symbol: string, pricePaise: number, n: number): Position {
  const instrument: Instrument = { symbol, exchange: 'NSE', product: 'CASH' };
  const order = (id: string) => ({ brokerOrderId: id, tag: id, instrument, side: 'SELL' as const, quantity: 10, status: 'OPEN' as const, filledQuantity: 0, fills: [] });
  return { instrument, pricePaise, stop: { ...order(`S${n}`), triggerPaise: pricePaise - 50_00 }, target: { ...order(`T${n}`), limitPaise: pricePaise + 50_00 } };
}

it('keeps three protected positions within the broker budget all session, and still acts on a late stop', async () => {
  const positions = [position('RELIANCE', 2450_00, 1), position('ITC', 450_00, 2), position('SBIN', 800_00, 3)];
  const prices = new PriceHub({ staleMs: 10_000 });
  const notices = new OrderNoticeBoard();
  const market = exchange(positions, notices);
  const config = testConfig({
    BROKER_CALLS_PER_MINUTE: String(CALLS.perMinute),
    BROKER_CALLS_PER_DAY: String(CALLS.perDay),
    BROKER_ORDER_RESERVE_PER_MINUTE: String(CALLS.reservePerMinute),
    BROKER_ORDER_RESERVE_PER_DAY: String(CALLS.reservePerDay),
    PRICE_STALE_S: '10',
  });
  const sql = (() => Promise.resolve([])) as unknown as Sql;
  const deps = { config, sql, broker: market.broker, prices, orderNotices: notices, log: silentLogger } as unknown as ActivityDeps;
  const activities = createActivities(deps);
  const sessionEnds = OPEN + SESSION_MINUTES * MINUTE;

  // the workflow's part (hold.ts): one watch window after another until a watch decides or the session ends
  async function hold(p: Position): Promise<void> {
    const legs: RestingLeg[] = [
      { which: 'STOP', leg: { tag: p.stop.tag, accountId: 'A', instrument: p.instrument } as LegInput, brokerOrderId: p.stop.brokerOrderId },
      { which: 'TARGET', leg: { tag: p.target.tag, accountId: 'A', instrument: p.instrument } as LegInput, brokerOrderId: p.target.brokerOrderId },
    ];
    const watchPrice = async () => {
      while (!p.priceSaw && Date.now() < sessionEnds) {
        const result = await activities.watchExitTriggers({ instrument: p.instrument, side: 'BUY', stopLossPaise: p.stop.triggerPaise, windowMs: Math.min(WINDOW_MS, sessionEnds - Date.now()) });
        if (result.trigger) p.priceSaw = { at: Date.now(), result };
      }
    };
    const watchBroker = async () => {
      while (!p.brokerSaw && Date.now() < sessionEnds) {
        const result = await activities.watchProtection(legs, Math.min(WINDOW_MS, sessionEnds - Date.now()), 5000);
        if (result.which) p.brokerSaw = { at: Date.now(), result };
      }
    };
    await Promise.all([watchPrice(), watchBroker()]);
  }

  // prices stream (one tick a second an instrument) and notices arrive, except in the stale stretches
  const stale = (minute: number) => (minute >= 60 && minute < 180) || minute >= 300;
  const streaming = setInterval(() => {
    if (stale(Math.floor((Date.now() - OPEN) / MINUTE))) return;
    for (const p of positions) prices.publish({ instrument: p.instrument, lastPricePaise: p.pricePaise, at: new Date().toISOString() });
  }, 1_000);
  const holding = Promise.all(positions.map(hold));

  for (let minute = 0; minute < SESSION_MINUTES; minute++) {
    prices.setConnected(!stale(minute));
    notices.setConnected(!stale(minute));
    // while streaming: the ITC target is reached at 11:35 and its notice closes it at once
    if (minute === 260) market.move(positions[1]!, 500_00);
    // late in the session, with every stream down: RELIANCE falls through its stop at 15:25
    if (minute === 370) market.move(positions[0]!, 2390_00);
    await vi.advanceTimersByTimeAsync(MINUTE);
  }
  await vi.advanceTimersByTimeAsync(WINDOW_MS);
  await holding;
  clearInterval(streaming);

  const perMinute = Array.from({ length: SESSION_MINUTES }, (_, m) => market.calls.filter((t) => t >= OPEN + m * MINUTE && t < OPEN + (m + 1) * MINUTE).length);
  expect(Math.max(...perMinute)).toBeLessThanOrEqual(CALLS.perMinute - CALLS.reservePerMinute);
  expect(market.calls.length).toBeLessThanOrEqual(CALLS.perDay - CALLS.reservePerDay);
  // and far less than one poll per order every 5 s (72 a minute) would make
  expect(market.calls.length).toBeLessThanOrEqual((6 + 3) * SESSION_MINUTES + 10);

  const [reliance, itc, sbin] = positions;
  // a notice ends a watch on its order at once
  expect(itc!.brokerSaw?.result).toMatchObject({ which: 'TARGET', result: { status: 'FILLED' } });
  expect(itc!.brokerSaw!.at - (OPEN + 260 * MINUTE)).toBeLessThan(1_000);
  // with no stream at all, the rationed reads still see the late stop: the price within a quote
  // interval, the filled stop order within the order-status ration's round of the legs
  expect(reliance!.priceSaw?.result.trigger).toBe('STOP_LOSS');
  expect(reliance!.priceSaw!.at - (OPEN + 370 * MINUTE)).toBeLessThanOrEqual(MINUTE);
  expect(reliance!.brokerSaw?.result).toMatchObject({ which: 'STOP', result: { status: 'FILLED', averagePricePaise: 2390_00 } });
  expect(reliance!.brokerSaw!.at - (OPEN + 370 * MINUTE)).toBeLessThanOrEqual(3 * MINUTE);
  expect(sbin!.priceSaw).toBeUndefined();
  expect(sbin!.brokerSaw).toBeUndefined();
}, 120_000);

it('keeps twenty working orders waited on all session within the broker budget, and still sees their fills', async () => {
  const WAITS = 20;
  const notices = new OrderNoticeBoard();
  const instrument: Instrument = { symbol: 'INFY', exchange: 'NSE', product: 'CASH' };
  const orders: BrokerOrder[] = Array.from({ length: WAITS }, (_, n) => ({ brokerOrderId: `E${n}`, tag: `E${n}`, instrument, side: 'BUY', quantity: 10, status: 'OPEN', filledQuantity: 0, fills: [] }));
  const calls: number[] = [];
  const broker = {
    name: 'breeze',
    async getOrder(_account: string, id: string) {
      calls.push(Date.now());
      return { ...orders.find((o) => o.brokerOrderId === id)! };
    },
  } as unknown as Broker;
  const fill = (o: BrokerOrder) => {
    Object.assign(o, { status: 'FILLED', filledQuantity: o.quantity, averagePricePaise: 1500_00 });
    if (notices.connected()) notices.notify(o.brokerOrderId);
  };
  const config = testConfig({
    BROKER_CALLS_PER_MINUTE: String(CALLS.perMinute),
    BROKER_CALLS_PER_DAY: String(CALLS.perDay),
    BROKER_ORDER_RESERVE_PER_MINUTE: String(CALLS.reservePerMinute),
    BROKER_ORDER_RESERVE_PER_DAY: String(CALLS.reservePerDay),
  });
  const deps = { config, sql: (() => Promise.resolve([])) as unknown as Sql, broker, prices: new PriceHub({ staleMs: 10_000 }), orderNotices: notices, log: silentLogger } as unknown as ActivityDeps;
  const activities = createActivities(deps);
  const sessionEnds = OPEN + SESSION_MINUTES * MINUTE;
  const ended = new Map<string, number>();

  // the workflow's part (trade/order-watch.ts): windows of a minute, then of four, the first look at once
  async function wait(o: BrokerOrder): Promise<void> {
    const leg = { tag: o.tag, accountId: 'A', instrument, tradeId: o.tag, leg: 'ENTRY' } as LegInput;
    for (let windows = 0; Date.now() < sessionEnds; windows++) {
      const windowMs = Math.min(windows >= 5 ? 4 * MINUTE : MINUTE, sessionEnds - Date.now());
      const result = await activities.awaitOrder(leg, o.brokerOrderId, windowMs, 500, { firstLook: windows === 0 });
      if (result.status !== 'OPEN') {
        ended.set(o.brokerOrderId, Date.now());
        return;
      }
    }
  }
  const waiting = Promise.all(orders.map(wait));

  // the notice stream is down from 10:15 to 12:15 and from 14:15 on
  const down = (minute: number) => (minute >= 60 && minute < 180) || minute >= 300;
  for (let minute = 0; minute < SESSION_MINUTES; minute++) {
    notices.setConnected(!down(minute));
    // order 0 fills while notices arrive; order 1 while they do not
    if (minute === 30) fill(orders[0]!);
    if (minute === 100) fill(orders[1]!);
    await vi.advanceTimersByTimeAsync(MINUTE);
  }
  await vi.advanceTimersByTimeAsync(5 * MINUTE);
  await waiting;

  const perMinute = Array.from({ length: SESSION_MINUTES }, (_, m) => calls.filter((t) => t >= OPEN + m * MINUTE && t < OPEN + (m + 1) * MINUTE).length);
  // the first looks after sending come at once (one per order sent); after that, the ration's 3 a minute
  expect(Math.max(...perMinute.slice(1))).toBeLessThanOrEqual(3 + 1);
  expect(Math.max(...perMinute)).toBeLessThanOrEqual(CALLS.perMinute - CALLS.reservePerMinute);
  expect(calls.length).toBeLessThanOrEqual(3 * SESSION_MINUTES + WAITS + 2);
  // a notice ends its wait at once; without notices, the ration's round of the waits finds the fill
  expect(ended.get('E0')! - (OPEN + 30 * MINUTE)).toBeLessThan(1_000);
  expect(ended.get('E1')! - (OPEN + 100 * MINUTE)).toBeLessThanOrEqual(WAITS * (MINUTE / 3) + MINUTE);
  expect(ended.size).toBe(2);
}, 120_000);
