/**
 * Funds and margin before every order (issue 15), on the paper exchange and on the Breeze emulator:
 * INSUFFICIENT_FUNDS by name, under concurrency; the funds ledger that fills and charges move; a
 * MARKET order reserved at its protective limit and never filled above it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { protectiveLimitPrice } from '../../src/broker/breeze/market-orders.ts';
import { startStack, type TestStack } from '../support/stack.ts';
import { enter, hasStatus, market, waitForTrade } from '../support/trading.ts';
import { sealAudit } from '../../src/audit/seal.ts';

let stack: TestStack;
let trader: string;
const SPREAD = Array.from({ length: 10 }, (_, i) => `FUND${i}`);
const niftyFut = { symbol: 'NIFTY', exchange: 'NFO', product: 'FUTURES', expiry: '2026-12-29' } as const;
const cash = (symbol: string) => ({ symbol, exchange: 'NSE', product: 'CASH' }) as const;
type Violation = { rule: string; limit: unknown; actual: unknown };
const violationsOf = (body: unknown) => (body as { violations?: Violation[] }).violations ?? [];

beforeAll(async () => {
  stack = await startStack({
    symbols: [...SPREAD, 'FUNDBIG', 'FUNDMKT'],
    settings: {
      // ₹1,00,000 of funds; the other limits out of the way, so the funds rule binds
      ACCOUNT_CAPITAL: '100000',
      RISK_MAX_TRADE_VALUE: '10000000',
      RISK_MAX_CONCENTRATION: '1',
      RISK_MAX_POSITION_QUANTITY: '100000',
      RISK_MAX_OPEN_POSITIONS: '100',
      RISK_MAX_ORDERS_PER_SECOND: '1000',
      RATE_LIMIT_TRADING: '1000,10000,100000,1000000',
      TRADE_ACK_WAIT_MS: '30000',
      BROKER_FUNDS_REFRESH_S: '1',
      // a paper MARKET buy would fill 5 % above the last price, past its 3 % protective limit
      PAPER_SLIPPAGE_BPS: '500',
    },
  });
  trader = (await stack.userWithRole('trader')).accessToken;
  for (const s of [...SPREAD, 'FUNDBIG', 'FUNDMKT']) await stack.market.setQuote(cash(s), 1000_00);
  await stack.market.setQuote(niftyFut, 26_000_00);
});
afterAll(async () => stack?.stop());

describe('funds and margin before every order', () => {
  it('refuses with 422 INSUFFICIENT_FUNDS an order whose margin exceeds the available funds', async () => {
    // 105 shares at ₹1,000 on delivery: ₹1,05,000 of margin against ₹1,00,000
    const res = await enter(stack, trader, market('FUNDBIG', { orderType: 'LIMIT', price: 1000, quantity: 105 }));
    expect(res.status).toBe(422);
    expect(violationsOf(res.body).find((v) => v.rule === 'INSUFFICIENT_FUNDS')).toMatchObject({ limit: 100_000_00, actual: 105_000_00 });
    expect(await stack.market.orders()).toHaveLength(0);
  });

  it('refuses an F&O order whose margin exceeds the funds, as Breeze\'s margin calculator puts it when live', async () => {
    // one NIFTY lot (65) at ₹26,000: ₹16,90,000 of value, 12 % of it (₹2,02,800) as margin
    const res = await enter(stack, trader, market('NIFTY', { exchange: 'NFO', product: 'FUTURES', expiry: '2026-12-29', orderType: 'LIMIT', price: 26_000, quantity: 65 }));
    expect(res.status).toBe(422);
    expect(violationsOf(res.body).find((v) => v.rule === 'INSUFFICIENT_FUNDS')).toMatchObject({ limit: 100_000_00, actual: 202_800_00 });
    if (stack.emulator) expect(stack.emulator.sent('POST', 'margincalculator').length).toBeGreaterThan(0);
  });

  it('counts the margin of orders in flight: 10 concurrent orders of ₹22,000 open at most 4', async () => {
    const results = await Promise.all(SPREAD.map((s) => enter(stack, trader, market(s, { orderType: 'LIMIT', price: 1000, quantity: 22 }))));
    const accepted = results.filter((r) => r.status === 201);
    const rejected = results.filter((r) => r.status === 422);
    expect(accepted.length + rejected.length).toBe(10);
    // Breeze's funds may count an order twice (blocked by the broker and still reserved by us): never more
    if (stack.market.broker === 'paper') expect(accepted.length).toBe(4);
    expect(accepted.length).toBeLessThanOrEqual(4);
    expect(accepted.length).toBeGreaterThan(0);
    for (const r of rejected) expect(violationsOf(r.body).map((v) => v.rule)).toEqual(['INSUFFICIENT_FUNDS']);
    const [reserved] = await stack.db.sql`select coalesce(sum(margin_paise), 0)::int8 as m from reservations where status in ('ACTIVE', 'CONVERTED')`;
    expect(reserved!.m).toBeLessThanOrEqual(100_000_00);
  });

  it('moves the funds ledger with fills and charges: margin held while open, realized P&L less charges once closed', async () => {
    const open = await stack.db.sql<{ id: string }[]>`select id from trades where status = 'OPEN'`;
    await Promise.all(open.map((t) => waitForTrade(stack, trader, t.id, hasStatus('OPEN'))));
    const [held] = await stack.db.sql`select coalesce(sum(margin_paise), 0)::int8 as margin, coalesce(sum(cash_paise), 0)::int8 as cash from funds_ledger`;
    const [value] = await stack.db.sql`select coalesce(sum(filled_quantity * entry_price_paise), 0)::int8 as v, coalesce(sum(charges_paise), 0)::int8 as c from trades where status = 'OPEN'`;
    expect(held!.margin).toBe(value!.v);
    expect(held!.cash).toBe(-value!.c);
    if (stack.market.broker === 'paper') {
      const status = (await (await stack.request('/risk/status', { token: trader })).json()) as { usage: { funds: Record<string, unknown> } };
      expect(status.usage.funds).toMatchObject({ source: 'paper-ledger', balancePaise: 100_000_00 - value!.c, usedMarginPaise: value!.v, reservedMarginPaise: 0, availablePaise: 100_000_00 - value!.c - value!.v });
    } else {
      // live: the broker's funds as a worker last read them
      const status = (await (await stack.request('/risk/status', { token: trader })).json()) as { usage: { funds: Record<string, unknown> } };
      expect(status.usage.funds).toMatchObject({ source: 'broker', segments: { equity: { balancePaise: expect.any(Number) } } });
      expect(status.usage.funds.asOf).not.toBeNull();
    }

    for (const t of open) await stack.market.setQuote(cash((await stack.db.sql`select symbol from trades where id = ${t.id}`)[0]!.symbol as string), 1010_00);
    for (const t of open) await stack.request(`/trades/${t.id}/exit`, { method: 'POST', token: trader });
    await Promise.all(open.map((t) => waitForTrade(stack, trader, t.id, hasStatus('CLOSED'))));
    const [after] = await stack.db.sql`select coalesce(sum(margin_paise), 0)::int8 as margin, coalesce(sum(cash_paise), 0)::int8 as cash from funds_ledger`;
    const [realized] = await stack.db.sql`select coalesce(sum(realized_pnl_paise), 0)::int8 as r from trades where status = 'CLOSED'`;
    expect(after!.margin).toBe(0);
    expect(after!.cash).toBe(realized!.r);
    if (stack.market.broker === 'paper') {
      const status = (await (await stack.request('/risk/status', { token: trader })).json()) as { usage: { funds: Record<string, unknown> } };
      expect(status.usage.funds).toMatchObject({ balancePaise: 100_000_00 + realized!.r, usedMarginPaise: 0 });
    }
  });

  it('a MARKET order can never fill above its reservation', async () => {
    const { status, body } = await enter(stack, trader, market('FUNDMKT', { quantity: 10 }));
    expect(status).toBe(201);
    const trade = await waitForTrade(stack, trader, body.id, hasStatus('OPEN'));
    const cap = protectiveLimitPrice({ side: 'BUY', exchange: 'NSE', product: 'CASH', stockCode: 'FUNDMKT', lastPricePaise: 1000_00 });
    const [reservation] = await stack.db.sql`select price_paise, notional_paise from reservations where trade_id = ${trade.id}`;
    expect(reservation).toMatchObject({ price_paise: cap, notional_paise: 10 * cap });
    await sealAudit(stack.db.sql);
    const [placed] = await stack.db.sql`select payload from audit_events where trade_id = ${trade.id} and event_type = 'ORDER_PLACED'`;
    expect(placed!.payload.limitPricePaise).toBe(cap);
    const [row] = await stack.db.sql`select entry_price_paise from trades where id = ${trade.id}`;
    expect(row!.entry_price_paise).toBeLessThanOrEqual(cap);
    // the paper exchange's 5 % slippage would have bought at ₹1,050: the protection holds it at the reservation
    if (stack.market.broker === 'paper') expect(row!.entry_price_paise).toBe(cap);
  });
});
