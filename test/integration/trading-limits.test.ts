import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyChain } from '../../src/audit/verify.ts';
import { startStack, type TestStack } from '../support/stack.ts';
import { enter, enterUntilKnown, hasStatus, market, waitForTrade } from '../support/trading.ts';

let stack: TestStack;
let trader: string;
const SYMBOLS = Array.from({ length: 100 }, (_, i) => `SYM${i}`);

beforeAll(async () => {
  // Generous request limits: this file tests the risk limits, not the HTTP rate limits.
  stack = await startStack({ symbols: SYMBOLS, settings: { RATE_LIMIT_TRADING: '1000,10000,100000,1000000', RISK_MAX_ORDERS_PER_SECOND: '1000', TRADE_ACK_WAIT_MS: '30000' } });
  trader = (await stack.userWithRole('trader')).accessToken;
  for (const s of SYMBOLS) await stack.market.setQuote({ symbol: s, exchange: 'NSE', product: 'CASH' }, 1000_00);
});
afterAll(async () => stack?.stop());

describe('limits under concurrency (invariant 1)', () => {
  it('lets 100 concurrent entries for different symbols open at most MAX_OPEN_POSITIONS positions', async () => {
    const results = await Promise.all(SYMBOLS.map((s) => enterUntilKnown(stack, trader, market(s))));
    // placed at the first answer (201), or at a retry of an entry whose first answer did not know (200)
    const accepted = results.filter((r) => r.status === 201 || r.status === 200);
    const rejected = results.filter((r) => r.status === 422);
    const others = results.filter((r) => r.status !== 201 && r.status !== 200 && r.status !== 422);
    expect(accepted.length + rejected.length, `other answers: ${JSON.stringify(others.slice(0, 3))}`).toBe(100);
    expect(accepted.length).toBeLessThanOrEqual(stack.config.risk.RISK_MAX_OPEN_POSITIONS);
    expect(accepted.length).toBeGreaterThan(0);
    for (const r of rejected) expect((r.body as unknown as { violations: { rule: string }[] }).violations.map((v) => v.rule)).toContain('MAX_OPEN_POSITIONS');

    // a retry may have found a trade before its entry reached the exchange
    for (const r of accepted) await waitForTrade(stack, trader, r.body.id, hasStatus('OPEN'));
    const [open] = await stack.db.sql`select count(distinct symbol)::int as n from trades where status in ('OPEN', 'PENDING', 'EXITING')`;
    expect(open!.n).toBeLessThanOrEqual(stack.config.risk.RISK_MAX_OPEN_POSITIONS);
    expect(await stack.market.orders()).toHaveLength(accepted.length);
    expect((await verifyChain(stack.db.sql)).ok).toBe(true);
  });

  it('makes one trade and one broker order from 20 concurrent requests with one Idempotency-Key', async () => {
    await stack.db.admin`update trades set status = 'CLOSED', closed_at = now() where status = 'OPEN'`;
    const key = 'same-key-for-twenty';
    const results = await Promise.all(Array.from({ length: 20 }, () => enterUntilKnown(stack, trader, market('SYM7'), key)));
    const ids = new Set(results.map((r) => r.body.id));
    expect(ids.size).toBe(1);
    expect(results.filter((r) => r.status !== 200 && r.status !== 201).slice(0, 3)).toEqual([]);
    expect(results.filter((r) => r.status === 201).length).toBeLessThanOrEqual(1);
    const [tradeId] = [...ids];
    await waitForTrade(stack, trader, tradeId!, hasStatus('OPEN'));
    expect(await stack.market.orders(`${tradeId}E`)).toHaveLength(1);
  });

  it('refuses the same Idempotency-Key with another request', async () => {
    const first = await enter(stack, trader, market('SYM8'), 'reused-key-0001');
    expect([201, 422]).toContain(first.status);
    const second = await enter(stack, trader, market('SYM8', { quantity: 11 }), 'reused-key-0001');
    expect(second.status).toBe(422);
    expect((second.body as unknown as { type: string }).type).toBe('/problems/idempotency-key-reused');
  });

  it('keeps MAX_TRADE_VALUE and MAX_POSITION_QUANTITY under concurrent entries in one symbol', async () => {
    await stack.db.admin`update trades set status = 'CLOSED', closed_at = now() where status = 'OPEN'`;
    await stack.db.admin`update reservations set status = 'RELEASED' where status = 'ACTIVE'`;
    // ₹1,000 a share, reserved at its protective limit ₹1,030 (a MARKET order, docs/breeze-api.md#market-orders):
    // 97 shares = ₹99,910, under the ₹1,00,000 trade value limit; 1800 shares the position limit.
    const results = await Promise.all(Array.from({ length: 30 }, () => enter(stack, trader, market('SYM9', { quantity: 97 }))));
    // on a slow machine an entry may answer before its risk check or its fill (202, or 201 PENDING): wait for its verdict
    const settled = await Promise.all(results.map((r) => (r.status === 422 ? r.body : waitForTrade(stack, trader, r.body.id, hasStatus('OPEN', 'REJECTED', 'FAILED')))));
    const accepted = settled.filter((t) => t.status === 'OPEN').length;
    const [held] = await stack.db.sql`select coalesce(sum(quantity), 0)::int as q from trades where symbol = 'SYM9' and status in ('OPEN', 'PENDING')`;
    expect(accepted).toBeGreaterThan(0);
    expect(held!.q).toBeLessThanOrEqual(stack.config.risk.RISK_MAX_POSITION_QUANTITY);
    expect(accepted * 97).toBe(held!.q);
    // Concentration: 40% of ₹5,00,000 capital = ₹2,00,000 = 194 shares at ₹1,030: the binding limit here.
    expect(held!.q).toBeLessThanOrEqual(200);
  });
});
