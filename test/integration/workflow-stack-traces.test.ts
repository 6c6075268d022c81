/**
 * WORKER_WORKFLOW_STACK_TRACES: the SDK's per-promise stack capture behind Temporal's stack-trace
 * query is off by default (patches/@temporalio+worker+1.24.0.patch, docs/temporal-notes.md#workflow-stack-traces)
 * and answers the query again when an operator turns it on. Each case runs a worker of its own:
 * the setting is read by the workflow threads as the SDK starts them.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startStack, type TestStack } from '../support/stack.ts';
import { enter, hasStatus, market, waitForTrade } from '../support/trading.ts';

const sbin = { symbol: 'SBIN', exchange: 'NSE', product: 'CASH' } as const;
let stack: TestStack | undefined;
afterEach(async () => {
  await stack?.stop();
  stack = undefined;
});

/** A trade whose LIMIT entry rests far under the market: its workflow waits, running. */
async function restingTrade(settings: Record<string, string>): Promise<{ stack: TestStack; trader: string; tradeId: string; workflowId: string }> {
  const started = await startStack({ testBroker: 'paper', settings });
  stack = started;
  const trader = (await started.userWithRole('trader')).accessToken;
  await started.market.setQuote(sbin, 800_00);
  const { status, body } = await enter(started, trader, market('SBIN', { orderType: 'LIMIT', price: 780 }));
  expect(status).toBe(201);
  expect(body.status).toBe('PENDING');
  return { stack: started, trader, tradeId: body.id, workflowId: `trade-${body.id}` };
}

describe('workflow stack traces', () => {
  it('are not recorded by default: the query says so, and the trade works', async () => {
    const { stack, trader, tradeId, workflowId } = await restingTrade({});
    await expect(stack.client.workflow.getHandle(workflowId).query('__stack_trace')).rejects.toThrow(/stack traces are not enabled/i);
    const cancel = await stack.request(`/trades/${tradeId}/cancel`, { method: 'POST', token: trader });
    expect([200, 202]).toContain(cancel.status);
    expect((await waitForTrade(stack, trader, tradeId, hasStatus('CANCELLED'))).legs?.[0]?.status).toBe('CANCELLED');
  });

  it('answer the query with the workflow source line it waits at when turned on', async () => {
    const { stack, workflowId } = await restingTrade({ WORKER_WORKFLOW_STACK_TRACES: 'true' });
    const trace = await stack.client.workflow.getHandle(workflowId).query<string>('__stack_trace');
    expect(trace).toMatch(/src\/workflows\/trade\/[\w-]+\.ts:\d+/);
  });
});
