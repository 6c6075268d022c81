import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeHalted } from '../../src/backup/trading-guard.ts';
import { transaction } from '../../src/db/transaction.ts';
import { readBreakerState } from '../../src/temporal/circuit-breaker.ts';
import { circuitBreakerWorkflowId } from '../../src/workflows/messages.ts';
import { recordHistory } from '../support/history-json.ts';
import { startStack, type TestStack, workflowBundleCode } from '../support/stack.ts';
import { enter, eventually, hasStatus, market, waitForTrade } from '../support/trading.ts';
import { sealAudit } from '../../src/audit/seal.ts';

let stack: TestStack;
let trader: string;
let admin: string;
const infy = { symbol: 'INFY', exchange: 'NSE', product: 'CASH' } as const;

beforeAll(async () => {
  // Daily loss limit ₹1,000; no losing-streak cool-down (tested on the time-skipping server).
  stack = await startStack({ settings: { RISK_DAILY_LOSS_LIMIT: '1000', BREAKER_LOSS_STREAK: '0' } });
  trader = (await stack.userWithRole('trader')).accessToken;
  admin = (await stack.login()).accessToken;
});
afterAll(async () => stack?.stop());

const tradingState = async () => ((await (await stack.request('/risk/status', { token: trader })).json()) as { tradingState: string }).tradingState;

describe('the circuit breaker', () => {
  it('halts trading when a losing exit crosses the daily loss limit; only an admin resumes', async () => {
    await stack.market.setQuote(infy, 1500_00);
    const { body: trade } = await enter(stack, trader, market('INFY', { quantity: 50 }));
    expect(trade.status).toBe('OPEN');
    await stack.market.setQuote(infy, 1470_00); // 50 × ₹30 = ₹1,500 loss
    await stack.request(`/trades/${trade.id}/exit`, { method: 'POST', token: trader });
    const closed = await waitForTrade(stack, trader, trade.id, hasStatus('CLOSED'));
    expect(closed.pnl?.gross).toBe(-1500);
    expect(closed.pnl!.net).toBeLessThan(-1500);

    await eventually(async () => (await tradingState()) === 'HALTED', 30_000, 'trading halted');
    const next = await enter(stack, trader, market('INFY', { quantity: 1 }));
    expect(next.status).toBe(422);
    const rules = (next.body as unknown as { violations: { rule: string }[] }).violations.map((v) => v.rule);
    expect(rules).toEqual(expect.arrayContaining(['TRADING_HALTED', 'DAILY_LOSS_LIMIT']));
    await sealAudit(stack.db.sql);
    const tripped = await stack.db.sql`select payload from audit_events where event_type = 'CIRCUIT_BREAKER_TRIPPED'`;
    expect(String(tripped[0]!.payload.reason)).toMatch(/DAILY_LOSS_LIMIT/);

    expect((await stack.request('/risk/resume', { method: 'POST', token: trader })).status).toBe(403);
    const resumed = await stack.request('/risk/resume', { method: 'POST', token: admin });
    expect(resumed.status).toBe(200);
    expect(await tradingState()).toBe('ACTIVE');
    // Resumed, but the day's loss is still past the limit: the risk check keeps refusing entries.
    const after = await enter(stack, trader, market('INFY', { quantity: 1 }));
    expect((after.body as unknown as { violations: { rule: string }[] }).violations.map((v) => v.rule)).toEqual(['DAILY_LOSS_LIMIT']);
  });

  it('halts on the kill switch, cancels working entries and flattens every position', async () => {
    await stack.db.admin`update trades set realized_pnl_paise = 0 where status = 'CLOSED'`;
    const wipro = { symbol: 'WIPRO', exchange: 'NSE', product: 'CASH' } as const;
    const tcs = { symbol: 'TCS', exchange: 'NSE', product: 'CASH' } as const;
    await stack.market.setQuote(wipro, 500_00);
    await stack.market.setQuote(tcs, 3000_00);
    const a = await enter(stack, trader, market('WIPRO', { quantity: 20 }));
    const b = await enter(stack, trader, market('TCS', { quantity: 5, orderType: 'LIMIT', price: 2900 }));
    expect(a.body.status).toBe('OPEN');
    expect(b.body.status).toBe('PENDING'); // resting limit below the market

    const halted = await stack.request('/risk/halt', { method: 'POST', token: admin, body: JSON.stringify({ reason: 'operator kill switch', flatten: true }) });
    expect(halted.status).toBe(200);
    expect(await tradingState()).toBe('HALTED');
    const flat = await waitForTrade(stack, trader, a.body.id, hasStatus('CLOSED'));
    expect(flat.exitReason).toBe('FLATTEN');
    expect((await waitForTrade(stack, trader, b.body.id, hasStatus('CANCELLED'))).status).toBe('CANCELLED');
    await sealAudit(stack.db.sql);
    const squared = await stack.db.sql`select 1 from audit_events where event_type = 'POSITION_SQUARED_OFF' and trade_id = ${a.body.id}`;
    expect(squared).toHaveLength(1);
    const [reserved] = await stack.db.sql`select count(*)::int as n from reservations where status = 'ACTIVE'`;
    expect(reserved!.n).toBe(0);
    expect((await readBreakerState(stack.client, stack.config.account.ACCOUNT_ID))?.tradingState).toBe('HALTED');
  });

  it('resumes a halt written to the database outside the breaker (a forced restore with Temporal out of reach)', async () => {
    expect((await stack.request('/risk/resume', { method: 'POST', token: admin })).status).toBe(200);
    expect(await tradingState()).toBe('ACTIVE');
    const restore = { type: 'system', id: 'restore' } as const;
    await transaction(stack.db.sql, (tx) => writeHalted(tx, stack.audit, stack.config.account.ACCOUNT_ID, 'RESTORE: held until reconciliation', restore, {}));
    expect(await tradingState()).toBe('HALTED');
    expect((await readBreakerState(stack.client, stack.config.account.ACCOUNT_ID))?.tradingState).toBe('ACTIVE');

    expect((await stack.request('/risk/resume', { method: 'POST', token: admin })).status).toBe(200);
    expect(await tradingState()).toBe('ACTIVE');
    await sealAudit(stack.db.sql);
    const [resumed] = await stack.db.sql`select payload from audit_events where event_type = 'TRADING_RESUMED' order by seq desc limit 1`;
    expect(resumed!.payload).toMatchObject({ from: 'HALTED', to: 'ACTIVE' });
    // Resuming what already trades records nothing more.
    const before = await stack.db.sql`select 1 from audit_events where event_type = 'TRADING_RESUMED'`;
    expect((await stack.request('/risk/resume', { method: 'POST', token: admin })).status).toBe(200);
    await sealAudit(stack.db.sql);
    expect(await stack.db.sql`select 1 from audit_events where event_type = 'TRADING_RESUMED'`).toHaveLength(before.length);
  });

  it('refuses to resume before the minimum hold of a halt', async () => {
    await stack.request('/risk/halt', { method: 'POST', token: admin, body: JSON.stringify({ reason: 'hold for review', minimumHoldMinutes: 60 }) });
    const early = await stack.request('/risk/resume', { method: 'POST', token: admin });
    expect(early.status).toBe(409);
    expect(((await early.json()) as { type: string }).type).toBe('/problems/resume-too-early');
    expect(await tradingState()).toBe('HALTED');
    await recordHistory(stack.client, circuitBreakerWorkflowId(stack.config.account.ACCOUNT_ID), 'circuitBreakerWorkflow', 'loss-trip-resume-kill-switch-flatten-hold', workflowBundleCode());
  });
});
