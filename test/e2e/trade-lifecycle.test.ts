import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type TestStack } from '../support/stack.ts';
import { enter, market } from '../support/trading.ts';

let stack: TestStack;
let trader: string;
const reliance = { symbol: 'RELIANCE', exchange: 'NSE', product: 'CASH' } as const;

beforeAll(async () => {
  stack = await startStack();
  trader = (await stack.userWithRole('trader')).accessToken;
  await stack.market.setQuote(reliance, 245000);
});
afterAll(async () => stack?.stop());

async function waitForStatus(id: string, status: string) {
  for (let i = 0; i < 100; i++) {
    const res = await stack.request(`/trades/${id}`, { token: trader });
    const trade = (await res.json()) as { status: string };
    if (trade.status === status) return trade;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`trade ${id} never reached ${status}`);
}

describe('a trade through the HTTP API', () => {
  it('enters at the market price, exits on request and realizes the P&L', async () => {
    const entry = await enter(stack, trader, market('RELIANCE'), 'lifecycle-0001');
    expect(entry.status).toBe(201);
    const opened = entry.body;
    expect(opened.status).toBe('OPEN');
    expect(opened.entryPrice).toBe(2450);

    await stack.market.setQuote(reliance, 246000);
    const exit = await stack.request(`/trades/${opened.id}/exit`, { method: 'POST', token: trader });
    expect([200, 202]).toContain(exit.status);
    const closed = (await waitForStatus(opened.id, 'CLOSED')) as unknown as { pnl: { gross: number; net: number }; exitPrice: number };
    expect(closed.exitPrice).toBe(2460);
    expect(closed.pnl.gross).toBe(100);
  });
});
