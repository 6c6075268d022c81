import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signWebhook } from '../../src/domain/webhook-signature.ts';
import { startStack, type TestStack } from '../support/stack.ts';
import { enter, eventually, hasStatus, market, waitForTrade } from '../support/trading.ts';
import { sealAudit } from '../../src/audit/seal.ts';

let stack: TestStack;
let trader: string;
let admin: string;
const rulesOf = (body: unknown) => ((body as { violations?: { rule: string }[] }).violations ?? []).map((v) => v.rule);
const cash = (symbol: string) => ({ symbol, exchange: 'NSE', product: 'CASH' }) as const;
const SECRET = 'strategies-webhook-secret';

/** A signed trade signal (POST /webhooks/signals). */
async function signal(extra: Record<string, unknown>) {
  const body = JSON.stringify({ signalId: `sig-${randomUUID()}`, symbol: 'WIPRO', exchange: 'NSE', side: 'BUY', quantity: 1, orderType: 'MARKET', ...extra });
  const timestamp = Math.floor(Date.now() / 1000);
  const res = await stack.request('/webhooks/signals', { method: 'POST', body, headers: { 'X-Signature-Timestamp': String(timestamp), 'X-Signature': signWebhook(SECRET, timestamp, body) } });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

beforeAll(async () => {
  // Account limits wide enough that only a strategy's own limits refuse in this file, the pace of
  // entries included: it enters a few dozen trades within seconds (8 a second refused one of them).
  stack = await startStack({ settings: { RISK_MAX_OPEN_POSITIONS: '20', RISK_MAX_TRADE_VALUE: '1000000', ACCOUNT_CAPITAL: '100000000', ALGO_ID: 'GENERIC-TEST', WEBHOOK_SECRET: SECRET, RATE_LIMIT_TRADING: '1000,10000,100000,1000000', RISK_MAX_ORDERS_PER_SECOND: '1000' } });
  trader = (await stack.userWithRole('trader')).accessToken;
  admin = (await stack.login()).accessToken;
  for (const [symbol, price] of [['RELIANCE', 2450_00], ['INFY', 1500_00], ['TCS', 3000_00], ['WIPRO', 500_00], ['SBIN', 800_00], ['ITC', 400_00]] as const) {
    await stack.market.setQuote(cash(symbol), price);
  }
});
afterAll(async () => stack?.stop());

async function createStrategy(body: Record<string, unknown>, token = admin) {
  const res = await stack.request('/strategies', { method: 'POST', token, body: JSON.stringify(body) });
  return { res, body: (await res.json()) as Record<string, unknown> };
}

describe('the strategy registry', () => {
  it('lists the default strategy with the account algo id, and registers strategies (admin only, audited)', async () => {
    const before = (await (await stack.request('/strategies', { token: trader })).json()) as { strategies: { id: string; algoId: string; default: boolean }[] };
    expect(before.strategies[0]).toMatchObject({ id: 'default', name: 'default', algoId: 'GENERIC-TEST', default: true, state: 'ACTIVE' });

    expect((await createStrategy({ name: 'by-trader', algoId: 'X1' }, trader)).res.status).toBe(403);
    const created = await createStrategy({ name: 'registry', algoId: 'NSE-ALGO-1', limits: { maxTradeValue: 5000 } });
    expect(created.res.status).toBe(201);
    expect(created.body).toMatchObject({ name: 'registry', algoId: 'NSE-ALGO-1', default: false, state: 'ACTIVE', limits: { maxTradeValue: 5000 } });
    const after = (await (await stack.request('/strategies', { token: trader })).json()) as { strategies: { name: string }[] };
    expect(after.strategies.map((s) => s.name)).toContain('registry');
    await sealAudit(stack.db.sql);
    const [audit] = await stack.db.sql`select payload from audit_events where event_type = 'STRATEGY_CREATED' and payload->>'name' = 'registry'`;
    expect(audit!.payload).toMatchObject({ algoId: 'NSE-ALGO-1' });
  });

  it('is documented in the OpenAPI document, with the trade request naming its strategy', async () => {
    const doc = (await (await stack.request('/openapi.json')).json()) as { paths: Record<string, Record<string, unknown>>; components: { schemas: Record<string, { properties?: Record<string, unknown> }> } };
    expect(Object.keys(doc.paths['/strategies']!)).toEqual(expect.arrayContaining(['get', 'post']));
    expect(doc.paths['/strategies/{id}/halt']!.post).toBeDefined();
    expect(doc.paths['/strategies/{id}/resume']!.post).toBeDefined();
    expect(doc.components.schemas.TradeRequest!.properties).toHaveProperty('strategy');
  });

  it('answers a duplicate name, a bad algo id and the reserved name with a problem naming the cause', async () => {
    await createStrategy({ name: 'twice', algoId: 'A-1' });
    const dup = await createStrategy({ name: 'twice', algoId: 'A-2' });
    expect(dup.res.status).toBe(409);
    expect(dup.res.headers.get('content-type')).toMatch(/application\/problem\+json/);
    expect(String(dup.body.type)).toMatch(/strategy-name-taken/);

    const bad = await createStrategy({ name: 'bad-algo', algoId: 'has spaces and: colons' });
    expect(bad.res.status).toBe(400);
    expect(bad.res.headers.get('content-type')).toMatch(/application\/problem\+json/);
    expect((bad.body.errors as { pointer: string }[]).map((e) => e.pointer)).toContain('/algoId');

    const reserved = await createStrategy({ name: 'default', algoId: 'A-3' });
    expect(reserved.res.status).toBe(400);
    expect((reserved.body.errors as { pointer: string }[]).map((e) => e.pointer)).toContain('/name');
  });
});

describe('orders of a strategy', () => {
  it('carry the strategy and its algo id in the audit trail and, on Breeze, in the order remark', async () => {
    await createStrategy({ name: 'alpha', algoId: 'NSE-ALGO-42' });
    const { status, body } = await enter(stack, trader, market('RELIANCE', { quantity: 1, strategy: 'alpha' }));
    expect(status).toBe(201);
    expect(body).toMatchObject({ strategy: 'alpha', algoId: 'NSE-ALGO-42' });
    await sealAudit(stack.db.sql);
    const events = await stack.db.sql`select event_type, payload from audit_events where trade_id = ${body.id} and event_type in ('TRADE_REQUESTED', 'ORDER_PLACED') order by seq`;
    expect(events.map((e) => [e.event_type, e.payload.strategy, e.payload.algoId])).toEqual([
      ['TRADE_REQUESTED', 'alpha', 'NSE-ALGO-42'],
      ['ORDER_PLACED', 'alpha', 'NSE-ALGO-42'],
    ]);
    const [order] = await stack.market.orders(body.id);
    if (stack.market.broker === 'breeze') expect(order!.remark).toBe(`${order!.tag}:alpha:NSE-ALGO-42`);
    else expect(order!.tag.startsWith(body.id)).toBe(true);
  });

  it('without a strategy belong to the default strategy and carry the account algo id', async () => {
    const { body } = await enter(stack, trader, market('RELIANCE', { quantity: 1 }));
    await sealAudit(stack.db.sql);
    const [placed] = await stack.db.sql`select payload from audit_events where trade_id = ${body.id} and event_type = 'ORDER_PLACED'`;
    expect(placed!.payload).toMatchObject({ strategy: 'default', algoId: 'GENERIC-TEST' });
  });

  it('are refused with STRATEGY_UNKNOWN when the account has no strategy of that name', async () => {
    const res = await enter(stack, trader, market('RELIANCE', { quantity: 1, strategy: 'nobody' }));
    expect(res.status).toBe(422);
    expect(rulesOf(res.body)).toEqual(['STRATEGY_UNKNOWN']);
  });

  it("are refused by the strategy's own limits, named by the limit's rule, while the account's allow them", async () => {
    await createStrategy({ name: 'small', algoId: 'NSE-ALGO-7', limits: { maxTradeValue: 5000, maxOpenPositions: 1 } });
    const big = await enter(stack, trader, market('ITC', { quantity: 20, strategy: 'small' })); // ₹8,000 > ₹5,000
    expect(big.status).toBe(422);
    expect(rulesOf(big.body)).toEqual(['MAX_TRADE_VALUE']);
    expect((big.body as unknown as { violations: { message: string }[] }).violations[0]!.message).toMatch(/Strategy small/);
    expect((await enter(stack, trader, market('ITC', { quantity: 20 }))).status).toBe(201);

    expect((await enter(stack, trader, market('ITC', { quantity: 5, strategy: 'small' }))).status).toBe(201);
    const second = await enter(stack, trader, market('SBIN', { quantity: 1, strategy: 'small' }));
    expect(rulesOf(second.body)).toEqual(['MAX_OPEN_POSITIONS']);
  });
});

describe("a strategy's kill switch", () => {
  it('halts that strategy alone, flattening its positions, while other strategies and manual trades keep trading', async () => {
    await createStrategy({ name: 'halted', algoId: 'NSE-ALGO-100' });
    await createStrategy({ name: 'running', algoId: 'NSE-ALGO-200' });
    const mine = await enter(stack, trader, market('INFY', { quantity: 2, strategy: 'halted' }));
    const other = await enter(stack, trader, market('TCS', { quantity: 1, strategy: 'running' }));
    expect([mine.body.status, other.body.status]).toEqual(['OPEN', 'OPEN']);
    const list = (await (await stack.request('/strategies', { token: admin })).json()) as { strategies: { id: string; name: string }[] };
    const id = list.strategies.find((s) => s.name === 'halted')!.id;

    expect((await stack.request(`/strategies/${id}/halt`, { method: 'POST', token: trader, body: JSON.stringify({ reason: 'x' }) })).status).toBe(403);
    const halted = await stack.request(`/strategies/${id}/halt`, { method: 'POST', token: admin, body: JSON.stringify({ reason: 'runaway signals', flatten: true }) });
    expect(halted.status).toBe(200);
    expect(await halted.json()).toMatchObject({ state: 'HALTED', reason: 'runaway signals', flattening: true, tradesAsked: 1 });

    const flat = await waitForTrade(stack, trader, mine.body.id, hasStatus('CLOSED'));
    expect(flat.exitReason).toBe('FLATTEN');
    const refused = await enter(stack, trader, market('INFY', { quantity: 1, strategy: 'halted' }));
    expect(refused.status).toBe(422);
    expect(rulesOf(refused.body)).toEqual(['STRATEGY_HALTED']);
    expect((await enter(stack, trader, market('WIPRO', { quantity: 1, strategy: 'running' }))).status).toBe(201);
    expect((await enter(stack, trader, market('WIPRO', { quantity: 1 }))).status).toBe(201);
    const signalled = await signal({ strategy: 'halted' });
    expect(signalled.status).toBe(422);
    expect(rulesOf(signalled.body)).toEqual(['STRATEGY_HALTED']);
    expect((await signal({ strategy: 'running' })).status).toBe(201);
    expect((await waitForTrade(stack, trader, other.body.id, () => true)).status).toBe('OPEN');

    await sealAudit(stack.db.sql);
    const [audit] = await stack.db.sql`select actor_id, payload from audit_events where event_type = 'STRATEGY_HALTED' and payload->>'strategyId' = ${id}`;
    expect(audit!.payload).toMatchObject({ name: 'halted', reason: 'runaway signals', flatten: true });

    const resumed = await stack.request(`/strategies/${id}/resume`, { method: 'POST', token: admin });
    expect(await resumed.json()).toMatchObject({ state: 'ACTIVE' });
    await eventually(async () => (await enter(stack, trader, market('INFY', { quantity: 1, strategy: 'halted' }))).status === 201, 10_000, 'entries of the resumed strategy taken');
    await sealAudit(stack.db.sql);
    expect((await stack.db.sql`select 1 from audit_events where event_type = 'STRATEGY_RESUMED' and payload->>'strategyId' = ${id}`).length).toBe(1);
  });

  it("cancels that strategy's working entries and leaves other strategies' working", async () => {
    await createStrategy({ name: 'resting', algoId: 'NSE-ALGO-300' });
    await createStrategy({ name: 'bystander', algoId: 'NSE-ALGO-400' });
    const mine = await enter(stack, trader, market('SBIN', { quantity: 1, orderType: 'LIMIT', price: 780, strategy: 'resting' }));
    const other = await enter(stack, trader, market('SBIN', { quantity: 1, orderType: 'LIMIT', price: 781, strategy: 'bystander' }));
    expect([mine.body.status, other.body.status]).toEqual(['PENDING', 'PENDING']);
    const list = (await (await stack.request('/strategies', { token: admin })).json()) as { strategies: { id: string; name: string }[] };
    const id = list.strategies.find((s) => s.name === 'resting')!.id;

    const halted = await stack.request(`/strategies/${id}/halt`, { method: 'POST', token: admin, body: JSON.stringify({ reason: 'stop adding risk' }) });
    expect(await halted.json()).toMatchObject({ state: 'HALTED', flattening: false, tradesAsked: 1, tradesNotReached: 0 });
    expect((await waitForTrade(stack, trader, mine.body.id, hasStatus('CANCELLED'))).status).toBe('CANCELLED');
    expect((await waitForTrade(stack, trader, other.body.id, () => true)).status).toBe('PENDING');
    await stack.request(`/trades/${other.body.id}/cancel`, { method: 'POST', token: trader });
  });

  it('is refused for the default strategy, whose switch is the account kill switch', async () => {
    const res = await stack.request('/strategies/default/halt', { method: 'POST', token: admin, body: JSON.stringify({ reason: 'x' }) });
    expect(res.status).toBe(409);
    expect(String(((await res.json()) as { type: string }).type)).toMatch(/default-strategy/);
  });
});
