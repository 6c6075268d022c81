import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type TestStack } from '../support/stack.ts';
import { enter, market } from '../support/trading.ts';
import { sealAudit } from '../../src/audit/seal.ts';

let stack: TestStack;
let trader: string;
const niftyFut = { symbol: 'NIFTY', exchange: 'NFO', product: 'FUTURES', expiry: '2026-12-29' } as const;
const rulesOf = (body: unknown) => ((body as { violations?: { rule: string }[] }).violations ?? []).map((v) => v.rule);

beforeAll(async () => {
  // Limits wide enough for index futures: this file is about the exchange's rules.
  stack = await startStack({ settings: { RISK_MAX_TRADE_VALUE: '100000000', ACCOUNT_CAPITAL: '1000000000', RISK_MAX_POSITION_QUANTITY: '100000' } });
  trader = (await stack.userWithRole('trader')).accessToken;
  await stack.market.setQuote(niftyFut, 26_000_00);
  await stack.market.setQuote({ symbol: 'RELIANCE', exchange: 'NSE', product: 'CASH' }, 2450_00);
});
afterAll(async () => stack?.stop());

describe('the India rule pack in the risk check', () => {
  it('refuses a futures order that is not a whole number of lots, and takes one that is', async () => {
    const odd = await enter(stack, trader, market('NIFTY', { exchange: 'NFO', product: 'FUTURES', expiry: '2026-12-29', quantity: 100 }));
    expect(odd.status).toBe(422);
    expect(rulesOf(odd.body)).toEqual(['LOT_SIZE']);
    const lots = await enter(stack, trader, market('NIFTY', { exchange: 'NFO', product: 'FUTURES', expiry: '2026-12-29', quantity: 130 }));
    expect(lots.status).toBe(201);
  });

  it('refuses an order that would need more than 20 slices of the freeze quantity', async () => {
    const big = await enter(stack, trader, market('NIFTY', { exchange: 'NFO', product: 'FUTURES', expiry: '2026-12-29', quantity: 1755 * 20 + 65 }));
    expect(rulesOf(big.body)).toContain('FREEZE_QUANTITY');
  });

  it('wants whole ticks, until an admin switches the rule off (audited)', async () => {
    const offTick = market('RELIANCE', { orderType: 'LIMIT', price: 2450.03, quantity: 1 });
    expect(rulesOf((await enter(stack, trader, offTick)).body)).toEqual(['TICK_SIZE']);
    const admin = (await stack.login()).accessToken;
    const res = await stack.request('/risk/rules', { method: 'PUT', token: admin, body: JSON.stringify({ TICK_SIZE: false }) });
    expect(((await res.json()) as Record<string, boolean>).TICK_SIZE).toBe(false);
    expect((await enter(stack, trader, offTick)).status).toBe(201);
    await sealAudit(stack.db.sql);
    const [change] = await stack.db.sql`select payload from audit_events where event_type = 'CONFIG_CHANGED' and payload->>'setting' = 'risk_rules'`;
    expect(change!.payload).toMatchObject({ old: { TICK_SIZE: true }, new: { TICK_SIZE: false } });
  });

  it('stamps the algo id on the request and the order in the audit trail', async () => {
    const { body } = await enter(stack, trader, market('RELIANCE', { quantity: 1 }));
    await sealAudit(stack.db.sql);
    const events = await stack.db.sql`select event_type, payload from audit_events where trade_id = ${body.id} and event_type in ('TRADE_REQUESTED', 'ORDER_PLACED')`;
    expect(events.map((e) => e.payload.algoId)).toEqual([stack.config.account.ALGO_ID, stack.config.account.ALGO_ID]);
  });
});
