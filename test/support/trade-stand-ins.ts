/**
 * Stand-ins for the trade workflow's tests on Temporal's time-skipping server (timers.test.ts,
 * entry-in-task.test.ts): a trade's start input, and a leg the broker filled at once.
 */
import { randomUUID } from 'node:crypto';
import type { LegInput, LegResult } from '../../src/activities/orders.ts';
import type { TradeWorkflowInput } from '../../src/workflows/messages.ts';

export const standInTrade = (over: Partial<TradeWorkflowInput> = {}): TradeWorkflowInput => ({
  tradeId: `t${randomUUID().slice(0, 8)}`,
  accountId: 'acct',
  request: { instrument: { symbol: 'ITC', exchange: 'NSE', product: 'CASH' }, side: 'BUY', quantity: 10, orderType: 'MARKET', intraday: true },
  requestFingerprint: 'f',
  requestedBy: { type: 'user', id: 'tester' },
  source: 'api',
  ackWaitMs: 1000,
  ...over,
});

export const filledLeg = (leg: LegInput): LegResult => ({
  tag: leg.tag,
  status: 'FILLED',
  brokerOrderId: `B-${leg.tag}`,
  filledQuantity: leg.quantity,
  averagePricePaise: 100_00,
  fills: [{ fillId: '1', quantity: leg.quantity, pricePaise: 100_00, at: new Date().toISOString() }],
});
