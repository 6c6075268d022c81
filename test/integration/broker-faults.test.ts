/**
 * Trades against a broker that misbehaves the ways a real one does: an exit that fills in part
 * and expires, a refusal to send or to cancel. The trade must end with the position closed or
 * still held and watched, never with the workflow failed and a position nobody owns.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BrokerRejectedError } from '../../src/broker/errors.ts';
import type { Broker, BrokerOrderRequest, PlaceOptions } from '../../src/broker/types.ts';
import type { Instrument } from '../../src/domain/trade.ts';
import { recordHistory } from '../support/history-json.ts';
import { startStack, type TestStack, workflowBundleCode } from '../support/stack.ts';
import { enter, eventually, hasStatus, market, waitForTrade } from '../support/trading.ts';
import { sealAudit } from '../../src/audit/seal.ts';

/** What the broker does wrong, changed by each test. */
const faults = {
  /** Exit tags whose order fills only half (what is left expires). */
  halfFilled: new Set<string>(),
  /** Tags the broker refuses to look up once (a non-retryable error, as "Authentication Fail" is). */
  refusedLookups: new Set<string>(),
  refuseCancels: false,
};

/** Whichever broker the stack trades through (the paper exchange or Breeze), with the faults above. */
function faultyBroker(broker: Broker): Broker {
  return Object.assign(Object.create(broker) as Broker, {
    placeOrder: (request: BrokerOrderRequest, options?: PlaceOptions) =>
      broker.placeOrder(faults.halfFilled.has(request.tag) ? { ...request, quantity: Math.ceil(request.quantity / 2) } : request, options),
    findOrderByTag: (accountId: string, tag: string, instrument: Instrument) =>
      faults.refusedLookups.delete(tag) ? Promise.reject(new BrokerRejectedError('Authentication Fail')) : broker.findOrderByTag(accountId, tag, instrument),
    cancelOrder: (accountId: string, brokerOrderId: string, instrument: Instrument) =>
      faults.refuseCancels ? Promise.reject(new BrokerRejectedError('the order cannot be cancelled')) : broker.cancelOrder(accountId, brokerOrderId, instrument),
  });
}

let stack: TestStack;
let trader: string;
const itc = { symbol: 'ITC', exchange: 'NSE', product: 'CASH' } as const;

beforeAll(async () => {
  stack = await startStack({
    settings: { RISK_MAX_OPEN_POSITIONS: '10', RATE_LIMIT_TRADING: '1000,10000,100000,1000000' },
    wrapBroker: faultyBroker,
  });
  trader = (await stack.userWithRole('trader')).accessToken;
});
afterAll(async () => stack?.stop());

const exchangeOrders = (tradeId: string) => stack.market.orders(tradeId);

describe('exits', () => {
  it('close a position whose exit fills in part: the rest goes out at once, and the P&L counts both parts', async () => {
    await stack.market.setQuote(itc, 450_00);
    const { body } = await enter(stack, trader, market('ITC', { quantity: 10 }));
    expect(body.status).toBe('OPEN');
    await stack.market.setQuote(itc, 460_00);
    faults.halfFilled.add(`${body.id}X1`);
    await stack.request(`/trades/${body.id}/exit`, { method: 'POST', token: trader });
    const closed = await waitForTrade(stack, trader, body.id, hasStatus('CLOSED'));

    expect((await exchangeOrders(body.id)).map((o) => [o.tag.slice(body.id.length), o.quantity])).toEqual([['E1', 10], ['X1', 5], ['X2', 5]]);
    expect(closed.exitPrice).toBe(460);
    expect(closed.pnl?.gross).toBe(100);
    const position = (await exchangeOrders(body.id)).reduce((n, o) => n + (o.side === 'BUY' ? o.filledQuantity : -o.filledQuantity), 0);
    expect(position).toBe(0);
    await sealAudit(stack.db.sql);
    const partial = await stack.db.sql`select payload from audit_events where trade_id = ${body.id} and event_type = 'ORDER_FILLED' and payload->>'partial' = 'true'`;
    expect(partial).toHaveLength(1);
    expect(partial[0]!.payload).toMatchObject({ filledQuantity: 5, openQuantity: 5 });
    await recordHistory(stack.client, `trade-${body.id}`, 'tradeWorkflow', 'exit-filled-in-parts', workflowBundleCode());
  });

  it('keep the position held and watched when the broker refuses an exit, and close it when asked again', async () => {
    await stack.market.setQuote(itc, 450_00);
    const { body } = await enter(stack, trader, market('ITC'));
    faults.refusedLookups.add(`${body.id}X1`);
    await stack.request(`/trades/${body.id}/exit`, { method: 'POST', token: trader });
    await sealAudit(stack.db.sql);
    await eventually(async () => (await stack.db.sql`select 1 from audit_events where trade_id = ${body.id} and event_type = 'ORDER_REJECTED' and payload->>'positionStillOpen' = 'true'`).length > 0, 30_000, 'the refused exit recorded');
    const held = await waitForTrade(stack, trader, body.id, hasStatus('OPEN'));
    expect(held.status).toBe('OPEN');

    await stack.request(`/trades/${body.id}/exit`, { method: 'POST', token: trader });
    const closed = await waitForTrade(stack, trader, body.id, hasStatus('CLOSED'));
    expect(closed.exitReason).toBe('REQUESTED');
    expect((await exchangeOrders(body.id)).map((o) => o.tag.slice(body.id.length))).toEqual(['E1', 'X2']);
    await recordHistory(stack.client, `trade-${body.id}`, 'tradeWorkflow', 'exit-refused-then-closed', workflowBundleCode());
  });
});

describe('working entries', () => {
  it('are watched until they end when the broker refuses to cancel them, and a flatten closes what they filled', async () => {
    const admin = (await stack.login()).accessToken;
    await stack.market.setQuote(itc, 450_00);
    const { body } = await enter(stack, trader, market('ITC', { orderType: 'LIMIT', price: 445 }));
    expect(body.status).toBe('PENDING');
    faults.refuseCancels = true;
    try {
      // The kill switch cancels working entries and flattens: the cancel is refused, the entry fills.
      expect((await stack.request('/risk/halt', { method: 'POST', token: admin, body: JSON.stringify({ reason: 'broker test', flatten: true }) })).status).toBe(200);
      await new Promise((r) => setTimeout(r, 500));
      await stack.market.setQuote(itc, 444_00);
      const closed = await waitForTrade(stack, trader, body.id, hasStatus('CLOSED'));
      expect(closed.exitReason).toBe('FLATTEN');
      expect((await exchangeOrders(body.id)).map((o) => o.tag.slice(body.id.length))).toEqual(['E1', 'X1']);
      await recordHistory(stack.client, `trade-${body.id}`, 'tradeWorkflow', 'entry-cancel-refused-flattened', workflowBundleCode());
    } finally {
      faults.refuseCancels = false;
      await stack.request('/risk/resume', { method: 'POST', token: admin });
    }
  });
});
