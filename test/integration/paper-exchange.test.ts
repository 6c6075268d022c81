import { afterAll, beforeAll, expect, it } from 'vitest';
import { PaperExchange } from '../../src/broker/paper/exchange.ts';
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
