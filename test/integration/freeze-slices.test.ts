import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordHistory } from '../support/history-json.ts';
import { startStack, type TestStack, workflowBundleCode } from '../support/stack.ts';
import { enter, hasStatus, waitForTrade } from '../support/trading.ts';
import { sealAudit } from '../../src/audit/seal.ts';

let stack: TestStack;
let trader: string;
const call = { symbol: 'NIFTY', exchange: 'NFO', product: 'OPTIONS', expiry: '2026-12-29', strikePaise: 26_000_00, right: 'CALL' } as const;
const callBody = { symbol: 'NIFTY', exchange: 'NFO', product: 'OPTIONS', expiry: '2026-12-29', strike: 26_000, right: 'CALL' };

beforeAll(async () => {
  // Limits wide enough for 40 lots of an index option: this file is about the exchange's freeze quantity.
  stack = await startStack({ settings: { RISK_MAX_TRADE_VALUE: '100000000', ACCOUNT_CAPITAL: '1000000000', RISK_MAX_POSITION_QUANTITY: '100000' } });
  trader = (await stack.userWithRole('trader')).accessToken;
  await stack.market.setQuote(call, 120_00);
});
afterAll(async () => stack?.stop());

describe('orders above the freeze quantity', () => {
  it('sends a NIFTY option order of 40 lots as whole-lot slices within the 1,800-unit freeze, entry and exit, and opens the full quantity', async () => {
    const res = await enter(stack, trader, { ...callBody, side: 'BUY', quantity: 2600, orderType: 'MARKET', intraday: false });
    expect(res.status).toBe(201);
    const open = await waitForTrade(stack, trader, res.body.id, hasStatus('OPEN'));
    expect(open.filledQuantity).toBe(2600);

    const entries = await stack.market.orders(`${res.body.id}E`);
    expect(entries.length).toBeGreaterThan(1);
    for (const o of entries) {
      expect(o.quantity).toBeLessThanOrEqual(1800);
      expect(o.quantity % 65).toBe(0);
      expect(o.status).toBe('FILLED');
    }
    expect(entries.reduce((n, o) => n + o.quantity, 0)).toBe(2600);

    const exit = await stack.request(`/trades/${res.body.id}/exit`, { method: 'POST', token: trader });
    expect([200, 202]).toContain(exit.status);
    const closed = await waitForTrade(stack, trader, res.body.id, hasStatus('CLOSED'));
    expect(closed.exitPrice).toBeGreaterThan(0);
    const exits = await stack.market.orders(`${res.body.id}X`);
    for (const o of exits) expect(o.quantity).toBeLessThanOrEqual(1800);
    expect(exits.reduce((n, o) => n + o.filledQuantity, 0)).toBe(2600);

    // every slice is an order of the trade with its own audit record, placed once
    await sealAudit(stack.db.sql);
    const placed = await stack.db.sql<{ tag: string }[]>`select payload->>'tag' as tag from audit_events where trade_id = ${res.body.id} and event_type = 'ORDER_PLACED'`;
    expect(placed.map((p) => p.tag).sort()).toEqual([...entries, ...exits].map((o) => o.tag).sort());
    await recordHistory(stack.client, `trade-${res.body.id}`, 'tradeWorkflow', 'freeze-slices-entry-exit', workflowBundleCode());
  });

  it('watches the stop-loss of a position above the freeze quantity instead of resting one order the exchange would reject, and exits it in slices', async () => {
    const res = await enter(stack, trader, { ...callBody, side: 'BUY', quantity: 2600, orderType: 'MARKET', stopLoss: 100, target: 200, intraday: false });
    expect(res.status).toBe(201);
    await waitForTrade(stack, trader, res.body.id, hasStatus('OPEN'));
    await stack.market.setQuote(call, 95_00);
    const closed = await waitForTrade(stack, trader, res.body.id, hasStatus('CLOSED'));
    expect(closed.exitReason).toBe('STOP_LOSS');
    const orders = await stack.market.orders(res.body.id);
    // entry and exit slices only: no protective order ever went to the exchange
    expect(orders.every((o) => /^t[a-z2-7]{15}[EX]1P\d+$/.test(o.tag) && o.quantity <= 1800)).toBe(true);
    expect(orders.filter((o) => o.tag.includes('X')).reduce((n, o) => n + o.filledQuantity, 0)).toBe(2600);
    await recordHistory(stack.client, `trade-${res.body.id}`, 'tradeWorkflow', 'freeze-slices-stop-watched', workflowBundleCode());
  });

  it('refuses an order that would need more than 20 slices', async () => {
    const res = await enter(stack, trader, { ...callBody, side: 'BUY', quantity: 1755 * 20 + 65, orderType: 'MARKET' });
    expect(res.status).toBe(422);
    expect((res.body.violations ?? []).map((v) => v.rule)).toContain('FREEZE_QUANTITY');
  });
});
