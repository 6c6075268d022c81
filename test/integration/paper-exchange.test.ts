import { afterAll, beforeAll, expect, it } from 'vitest';
import { PaperExchange } from '../../src/broker/paper/exchange.ts';
import { listenPaperQuotes, type PaperQuoteNotice } from '../../src/db/paper-quotes.ts';
import { instrumentKey } from '../../src/domain/trade.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';

let db: TestDatabase;
let clock: Date;
let exchange: PaperExchange;
const itc = { symbol: 'ITC', exchange: 'NSE', product: 'CASH' } as const;
const ist = (date: string, hhmm: string) => new Date(`${date}T${hhmm}:00+05:30`);

beforeAll(async () => {
  db = await createTestDatabase();
  exchange = new PaperExchange({ sql: db.sql, marketHours: 'nse', slippageBps: 0, randomWalk: false, seed: 1, now: () => clock });
});
afterAll(async () => db?.drop());

it('expires a resting DAY order when its session closes: it never fills at a later day’s prices', async () => {
  clock = ist('2026-12-01', '10:00'); // a Tuesday session
  await exchange.setQuote(itc, 450_00);
  const order = await exchange.placeOrder({ accountId: 'acct', tag: 'day-order-1', instrument: itc, side: 'BUY', quantity: 10, orderType: 'LIMIT', limitPricePaise: 440_00 });
  expect(order.status).toBe('OPEN');

  clock = ist('2026-12-01', '15:29');
  expect((await exchange.getOrder('acct', order.brokerOrderId)).status).toBe('OPEN');

  clock = ist('2026-12-01', '15:30');
  const expired = await exchange.getOrder('acct', order.brokerOrderId);
  expect(expired).toMatchObject({ status: 'CANCELLED', filledQuantity: 0, rejectReason: expect.stringContaining('expired') });

  // The next morning the price falls through the limit: the expired order stays unfilled.
  clock = ist('2026-12-02', '09:20');
  await exchange.setQuote(itc, 430_00);
  expect((await exchange.getOrder('acct', order.brokerOrderId)).status).toBe('CANCELLED');
  const live = await exchange.placeOrder({ accountId: 'acct', tag: 'day-order-2', instrument: itc, side: 'BUY', quantity: 5, orderType: 'LIMIT', limitPricePaise: 440_00 });
  expect(live.status).toBe('FILLED');
});

it('rests a STOP order until the price touches its trigger, then fills it like a market order', async () => {
  clock = ist('2026-12-02', '11:00');
  await exchange.setQuote(itc, 450_00);
  const stop = await exchange.placeOrder({ accountId: 'acct', tag: 'stop-sell-1', instrument: itc, side: 'SELL', quantity: 10, orderType: 'STOP', triggerPricePaise: 440_00 });
  expect(stop.status).toBe('OPEN');
  await exchange.setQuote(itc, 441_00); // above the trigger: still resting
  expect((await exchange.getOrder('acct', stop.brokerOrderId)).status).toBe('OPEN');
  await exchange.setQuote(itc, 438_50); // gapped through it: fills at the price there is
  expect(await exchange.getOrder('acct', stop.brokerOrderId)).toMatchObject({ status: 'FILLED', filledQuantity: 10, averagePricePaise: 438_50 });

  const buyStop = await exchange.placeOrder({ accountId: 'acct', tag: 'stop-buy-1', instrument: itc, side: 'BUY', quantity: 5, orderType: 'STOP', triggerPricePaise: 445_00 });
  expect(buyStop.status).toBe('OPEN');
  await exchange.setQuote(itc, 445_00);
  expect((await exchange.getOrder('acct', buyStop.brokerOrderId)).status).toBe('FILLED');
  // No trigger, no order.
  await expect(exchange.placeOrder({ accountId: 'acct', tag: 'stop-bad-1', instrument: itc, side: 'SELL', quantity: 1, orderType: 'STOP', triggerPricePaise: 0 })).rejects.toThrow(/trigger price missing/);
});


it('rests a STOP_LIMIT until its trigger is touched, then works it as a limit: a gap through the limit leaves it open', async () => {
  clock = ist('2026-12-02', '11:30');
  await exchange.setQuote(itc, 450_00);
  const stop = await exchange.placeOrder({ accountId: 'acct', tag: 'stop-limit-1', instrument: itc, side: 'SELL', quantity: 10, orderType: 'STOP_LIMIT', triggerPricePaise: 440_00, limitPricePaise: 438_00 });
  expect(stop.status).toBe('OPEN');
  await exchange.setQuote(itc, 441_00);
  expect((await exchange.getOrder('acct', stop.brokerOrderId)).status).toBe('OPEN');
  await exchange.setQuote(itc, 437_00); // triggered, but below the limit
  expect((await exchange.getOrder('acct', stop.brokerOrderId)).status).toBe('OPEN');
  await exchange.setQuote(itc, 442_00); // back above the trigger: once touched, it stays a limit and fills
  expect(await exchange.getOrder('acct', stop.brokerOrderId)).toMatchObject({ status: 'FILLED', filledQuantity: 10, averagePricePaise: 442_00 });

  await expect(exchange.placeOrder({ accountId: 'acct', tag: 'stop-limit-bad', instrument: itc, side: 'SELL', quantity: 1, orderType: 'STOP_LIMIT', triggerPricePaise: 440_00, limitPricePaise: 441_00 })).rejects.toThrow(/limit at or below its trigger/);
});

it('modifies a resting order: a gapped stop chased with a marketable limit fills at once; a filled one answers FILLED', async () => {
  clock = ist('2026-12-02', '12:00');
  await exchange.setQuote(itc, 450_00);
  const stop = await exchange.placeOrder({ accountId: 'acct', tag: 'stop-limit-2', instrument: itc, side: 'SELL', quantity: 10, orderType: 'STOP_LIMIT', triggerPricePaise: 440_00, limitPricePaise: 438_00 });
  const moved = await exchange.modifyOrder('acct', stop.brokerOrderId, itc, { orderType: 'STOP_LIMIT', triggerPricePaise: 445_00, limitPricePaise: 443_00 });
  expect(moved.status).toBe('OPEN');
  await exchange.setQuote(itc, 430_00); // through the moved trigger and its limit
  expect((await exchange.getOrder('acct', stop.brokerOrderId)).status).toBe('OPEN');
  const chased = await exchange.modifyOrder('acct', stop.brokerOrderId, itc, { orderType: 'LIMIT', limitPricePaise: 428_00 });
  expect(chased).toMatchObject({ status: 'FILLED', averagePricePaise: 430_00 });
  expect(await exchange.modifyOrder('acct', stop.brokerOrderId, itc, { orderType: 'LIMIT', limitPricePaise: 420_00 })).toMatchObject({ status: 'FILLED', averagePricePaise: 430_00 });
});

it("answers the feed's round for the instruments its walk does not move from one read, expiring their DAY orders", async () => {
  const walking = new PaperExchange({ sql: db.sql, marketHours: 'nse', slippageBps: 0, randomWalk: true, seed: 1, now: () => clock });
  const sbin = { symbol: 'SBIN', exchange: 'NSE', product: 'CASH' } as const;
  const never = { symbol: 'NEVERQUOTED', exchange: 'NSE', product: 'CASH' } as const;
  clock = ist('2026-12-03', '10:00');
  await walking.setQuote(itc, 452_00); // pinned: the walk leaves it alone
  const resting = await walking.placeOrder({ accountId: 'acct', tag: 'unmoved-day-order', instrument: itc, side: 'BUY', quantity: 1, orderType: 'LIMIT', limitPricePaise: 400_00 });
  const sbinPrice = (await walking.quote(sbin)).lastPricePaise; // first use: unpinned, walking

  // within the walk's step nothing moves: both are answered from the read, at the price quote() gives
  const now = await walking.unmovedQuotes([itc, sbin, never]);
  expect(now.get(instrumentKey(itc))).toMatchObject({ lastPricePaise: 452_00 });
  expect(now.get(instrumentKey(sbin))).toMatchObject({ lastPricePaise: sbinPrice });
  expect(now.has(instrumentKey(never))).toBe(false); // quoted one by one: its first quote creates it

  // at the session's close: the walking instrument is left to quote() (which moves it), and the
  // pinned one's resting DAY order expires with this read alone
  clock = ist('2026-12-03', '15:30');
  const atClose = await walking.unmovedQuotes([itc, sbin]);
  expect([...atClose.keys()]).toEqual([instrumentKey(itc)]);
  const [row] = await db.sql<{ status: string; reject_reason: string }[]>`select status, reject_reason from paper_orders where id = ${resting.brokerOrderId}`;
  expect(row).toMatchObject({ status: 'CANCELLED', reject_reason: expect.stringContaining('expired') });
});

it('quotes an instrument its walk does not move without waiting on its row, held by an order in flight', async () => {
  clock = ist('2026-12-03', '11:00');
  await exchange.setQuote(itc, 455_00);
  const quoted = await db.sql.begin(async (tx) => {
    await tx`select 1 from paper_quotes where instrument_key = ${instrumentKey(itc)} for update`;
    return exchange.quote(itc); // a quote that locked the row would wait for this transaction: for ever
  });
  expect(quoted).toMatchObject({ lastPricePaise: 455_00 });
}, 15_000);

it('announces a price once its resting stops are filled: the tick is stamped when the world can see it', async () => {
  // every reading of this exchange's clock is a second later than the one before
  let seconds = 0;
  const ticking = new PaperExchange({ sql: db.sql, marketHours: 'always', slippageBps: 0, randomWalk: false, seed: 1, now: () => new Date(Date.UTC(2026, 11, 4, 5, 0, seconds++)) });
  const tata = { symbol: 'TATASTEEL', exchange: 'NSE', product: 'CASH' } as const;
  await ticking.setQuote(tata, 150_00);
  const stop = await ticking.placeOrder({ accountId: 'acct', tag: 'stop-tick-time', instrument: tata, side: 'SELL', quantity: 3, orderType: 'STOP', triggerPricePaise: 145_00 });
  const notices: PaperQuoteNotice[] = [];
  const unlisten = await listenPaperQuotes(db.sql, (n) => notices.push(n));
  try {
    const quote = await ticking.setQuote(tata, 144_00);
    const ofTata = () => notices.filter((n) => n.instrument.symbol === 'TATASTEEL');
    await expect.poll(() => ofTata().length).toBe(1);
    const filled = await ticking.getOrder('acct', stop.brokerOrderId);
    expect(filled).toMatchObject({ status: 'FILLED', averagePricePaise: 144_00 });
    // the notice (and the answer) carry the time after the fill, not the time the matching began
    const [notice] = ofTata();
    expect(notice).toMatchObject({ lastPricePaise: 144_00, at: quote.at });
    expect(Date.parse(notice!.at)).toBeGreaterThan(Date.parse(filled.fills[0]!.at));
  } finally {
    await unlisten();
  }
});
