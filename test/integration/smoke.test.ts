import { afterAll, beforeAll, expect, it } from 'vitest';
import { tradeIdFor } from '../../src/domain/ids.ts';
import { submitTrade } from '../../src/temporal/trades.ts';
import { startStack, type TestStack } from '../support/stack.ts';

let stack: TestStack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => stack?.stop());

it('runs a trade through the real worker to OPEN', async () => {
  await stack.paper.setQuote({ symbol: 'RELIANCE', exchange: 'NSE', product: 'CASH' }, 245000);
  const tradeId = tradeIdFor('main', 'smoke-key-0001');
  const summary = await submitTrade(stack.client, stack.config, {
    tradeId,
    accountId: 'main',
    request: { instrument: { symbol: 'RELIANCE', exchange: 'NSE', product: 'CASH' }, side: 'BUY', quantity: 10, orderType: 'MARKET', intraday: true },
    requestFingerprint: 'x',
    requestedBy: { type: 'user', id: 'tester' },
    source: 'api',
    ackWaitMs: 10000,
  });
  expect(summary?.status).toBe('OPEN');
});
