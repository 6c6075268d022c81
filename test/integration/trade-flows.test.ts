import { defaultPayloadConverter } from '@temporalio/common';
import type { temporal } from '@temporalio/proto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Broker } from '../../src/broker/types.ts';
import { BrokerUnavailableError } from '../../src/broker/errors.ts';
import { recordHistory } from '../support/history-json.ts';
import { startStack, type TestStack, workflowBundleCode } from '../support/stack.ts';
import { testBroker } from '../support/market.ts';
import { enter, hasStatus, market, waitForTrade } from '../support/trading.ts';
import { sealAudit } from '../../src/audit/seal.ts';

let stack: TestStack;
let trader: string;
const sbin = { symbol: 'SBIN', exchange: 'NSE', product: 'CASH' } as const;

beforeAll(async () => {
  stack = await startStack({ settings: { RISK_MAX_OPEN_POSITIONS: '10', RATE_LIMIT_TRADING: '1000,10000,100000,1000000' } });
  trader = (await stack.userWithRole('trader')).accessToken;
});
afterAll(async () => stack?.stop());

describe('exits', () => {
  it('exits at the stop-loss when the price falls to it', async () => {
    await stack.market.setQuote(sbin, 800_00);
    const { body } = await enter(stack, trader, market('SBIN', { stopLoss: 790, target: 830 }));
    expect(body.status).toBe('OPEN');
    await stack.market.setQuote(sbin, 789_00);
    const closed = await waitForTrade(stack, trader, body.id, hasStatus('CLOSED'));
    expect(closed.exitReason).toBe('STOP_LOSS');
    expect(closed.exitPrice).toBe(789);
    expect(closed.pnl?.gross).toBe(-110);
    await recordHistory(stack.client, `trade-${body.id}`, 'tradeWorkflow', 'stop-loss-exit', workflowBundleCode());
  });

  it('exits at the target when the price rises to it, for a short too', async () => {
    await stack.market.setQuote(sbin, 800_00);
    const { body } = await enter(stack, trader, market('SBIN', { side: 'SELL', stopLoss: 810, target: 780 }));
    await stack.market.setQuote(sbin, 779_50);
    const closed = await waitForTrade(stack, trader, body.id, hasStatus('CLOSED'));
    expect(closed.exitReason).toBe('TARGET');
    expect(closed.pnl?.gross).toBe(205);
  });

  it('answers 200 with the closed trade when asked to exit it again', async () => {
    await stack.market.setQuote(sbin, 800_00);
    const { body } = await enter(stack, trader, market('SBIN'));
    await stack.request(`/trades/${body.id}/exit`, { method: 'POST', token: trader });
    await waitForTrade(stack, trader, body.id, hasStatus('CLOSED'));
    const again = await stack.request(`/trades/${body.id}/exit`, { method: 'POST', token: trader });
    expect(again.status).toBe(200);
    expect(((await again.json()) as { status: string }).status).toBe('CLOSED');
  });
});

describe('limit entries', () => {
  it('rest until the price crosses, then fill', async () => {
    await stack.market.setQuote(sbin, 800_00);
    const { status, body } = await enter(stack, trader, market('SBIN', { orderType: 'LIMIT', price: 795 }));
    expect(status).toBe(201);
    expect(body.status).toBe('PENDING');
    await stack.market.setQuote(sbin, 794_00);
    const open = await waitForTrade(stack, trader, body.id, hasStatus('OPEN'));
    expect(open.entryPrice).toBe(794);
    await stack.request(`/trades/${body.id}/exit`, { method: 'POST', token: trader });
    await waitForTrade(stack, trader, body.id, hasStatus('CLOSED'));
    await recordHistory(stack.client, `trade-${body.id}`, 'tradeWorkflow', 'limit-entry-waited-on-notices', workflowBundleCode());
  });

  it('can be cancelled while working; the reservation is released', async () => {
    await stack.market.setQuote(sbin, 800_00);
    const { body } = await enter(stack, trader, market('SBIN', { orderType: 'LIMIT', price: 780 }));
    const res = await stack.request(`/trades/${body.id}/cancel`, { method: 'POST', token: trader });
    expect([200, 202]).toContain(res.status);
    const cancelled = await waitForTrade(stack, trader, body.id, hasStatus('CANCELLED'));
    expect(cancelled.legs?.[0]?.status).toBe('CANCELLED');
    const [reservation] = await stack.db.sql`select status from reservations where trade_id = ${body.id}`;
    expect(reservation!.status).toBe('RELEASED');
    const orders = await stack.market.orders(`${body.id}E1`);
    expect(orders.map((o) => o.status)).toEqual(['CANCELLED']);
    await recordHistory(stack.client, `trade-${body.id}`, 'tradeWorkflow', 'limit-entry-cancelled', workflowBundleCode());
  });

  it('cannot be cancelled once filled: 409, exit instead', async () => {
    await stack.market.setQuote(sbin, 800_00);
    const { body } = await enter(stack, trader, market('SBIN'));
    const res = await stack.request(`/trades/${body.id}/cancel`, { method: 'POST', token: trader });
    expect(res.status).toBe(409);
  });
});

describe('reading trades', () => {
  it('lists trades newest first, filtered and paginated', async () => {
    const page1 = (await (await stack.request('/trades?limit=2&symbol=SBIN', { token: trader })).json()) as { trades: { id: string; createdAt: string }[]; nextCursor: string };
    expect(page1.trades).toHaveLength(2);
    expect(page1.trades[0]!.createdAt >= page1.trades[1]!.createdAt).toBe(true);
    const page2 = (await (await stack.request(`/trades?limit=2&symbol=SBIN&cursor=${page1.nextCursor}`, { token: trader })).json()) as { trades: { id: string }[] };
    expect(page2.trades.map((t) => t.id)).not.toContain(page1.trades[0]!.id);
    const closed = (await (await stack.request('/trades?status=CLOSED', { token: trader })).json()) as { trades: { status: string }[] };
    expect(closed.trades.every((t) => t.status === 'CLOSED')).toBe(true);
  });

  it('shows open positions with unrealized P&L', async () => {
    await stack.market.setQuote(sbin, 800_00);
    const { body } = await enter(stack, trader, market('SBIN', { quantity: 4 }));
    await stack.market.setQuote(sbin, 805_00);
    const res = (await (await stack.request('/positions', { token: trader })).json()) as { positions: { tradeId: string; unrealizedPnl: number | null }[] };
    // the last price the system saw is the fill; the watch or the next risk check refreshes it
    expect(res.positions.find((p) => p.tradeId === body.id)).toBeDefined();
  });

  it('reconstructs a trade from its timeline alone', async () => {
    await stack.market.setQuote(sbin, 800_00);
    const { body } = await enter(stack, trader, market('SBIN', { quantity: 3 }));
    await stack.request(`/trades/${body.id}/exit`, { method: 'POST', token: trader });
    await waitForTrade(stack, trader, body.id, hasStatus('CLOSED'));
    const { events } = (await (await stack.request(`/trades/${body.id}/timeline`, { token: trader })).json()) as { events: { type: string; payload: Record<string, unknown>; actorId: string; requestId: string | null }[] };
    expect(events.map((e) => e.type)).toEqual([
      'TRADE_REQUESTED',
      'RISK_CHECK_PASSED',
      'ORDER_PLACED',
      'ORDER_FILLED',
      'TRADE_ENTERED',
      'TRADE_EXIT_REQUESTED',
      'ORDER_PLACED',
      'ORDER_FILLED',
      'TRADE_EXITED',
    ]);
    const requested = events[0]!;
    expect(requested.payload).toMatchObject({ side: 'BUY', quantity: 3, orderType: 'MARKET', instrument: { symbol: 'SBIN' } });
    expect(requested.requestId).toBeTruthy();
    const exited = events.at(-1)!.payload;
    expect(exited).toMatchObject({ entryPricePaise: 80000, exitPricePaise: 80000, grossPnlPaise: 0 });
    // Flat price: the net P&L is what the charges cost.
    expect(exited.realizedPnlPaise).toBe(-(exited.chargesPaise as number));
    expect(exited.chargesPaise as number).toBeGreaterThan(0);
    await recordHistory(stack.client, `trade-${body.id}`, 'tradeWorkflow', 'market-entry-requested-exit', workflowBundleCode());
  });

  it('keeps a new trade history lean: the entry in its first task, two patch markers, no status it was started with', async () => {
    // Each patch marker comes with a TemporalChangeVersion upsert (a visibility write on the
    // server): a trade started now takes every patch before the entry-in-task one at once, and
    // that one (src/workflows/trade.ts).
    await stack.market.setQuote(sbin, 800_00);
    const { body } = await enter(stack, trader, market('SBIN', { stopLoss: 780 }));
    expect(body.status).toBe('OPEN');
    const { events } = await stack.client.workflow.getHandle(`trade-${body.id}`).fetchHistory();
    const patches = events!.filter((e) => e.markerRecordedEventAttributes?.markerName === 'core_patch');
    const patchIds = patches.map((e) => defaultPayloadConverter.fromPayload<{ id: string }>(e.markerRecordedEventAttributes!.details!['patch-data']!.payloads![0]!).id);
    expect(patchIds).toEqual(['patches-at-once', 'entry-in-task']);
    const upserts = events!.flatMap((e) => {
      const fields = e.upsertWorkflowSearchAttributesEventAttributes?.searchAttributes?.indexedFields;
      return fields ? [fields] : [];
    });
    expect(upserts.filter((fields) => 'TemporalChangeVersion' in fields)).toHaveLength(2);
    // started PENDING by the API; the first status the workflow writes is the entry's outcome
    const statuses = upserts.flatMap((fields) => (fields.TradeStatus ? [defaultPayloadConverter.fromPayload<string>(fields.TradeStatus)] : []));
    expect(statuses[0]).toBe('OPEN');
    // Reserved and placed in the first workflow task (local activities), no activity task for the
    // entry; on the paper exchange, which fills a market order as it is placed, filled and
    // answered in that task too (Breeze answers OPEN and the fill is waited for).
    const payload = <T,>(p: temporal.api.common.v1.IPayloads | null | undefined) => defaultPayloadConverter.fromPayload<T>(p!.payloads![0]!);
    const firstCompleted = events!.findIndex((e) => e.workflowTaskCompletedEventAttributes);
    const nextScheduled = events!.findIndex((e, i) => i > firstCompleted && e.workflowTaskScheduledEventAttributes);
    const firstTask = events!.slice(firstCompleted + 1, nextScheduled < 0 ? undefined : nextScheduled);
    const localSteps = firstTask.filter((e) => e.markerRecordedEventAttributes?.markerName === 'core_local_activity').map((e) => payload<{ activity_type: string }>(e.markerRecordedEventAttributes!.details!.data).activity_type);
    const entryActivities = events!.filter((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'placeOrder' && payload<{ tag: string }>(e.activityTaskScheduledEventAttributes.input).tag === `${body.id}E1`);
    expect(entryActivities).toHaveLength(0);
    if (testBroker() === 'paper') {
      expect(localSteps).toEqual(['reserveRisk', 'placeOrder', 'recordEntryFill']);
      expect(firstTask.some((e) => e.workflowExecutionUpdateCompletedEventAttributes)).toBe(true);
    } else expect(localSteps).toEqual(['reserveRisk', 'placeOrder']);
    expect((await stack.market.orders(`${body.id}E`)).map((o) => o.tag)).toEqual([`${body.id}E1`]);
  });
});

describe('limits at run time (maker-checker)', () => {
  it('applies a tightening at once and holds a loosening for a second admin', async () => {
    const first = (await stack.login()).accessToken;
    const second = await stack.userWithRole('admin');
    const tighten = await stack.request('/risk/limits', { method: 'PUT', token: first, body: JSON.stringify({ maxOpenPositions: 5 }) });
    expect(tighten.status).toBe(200);
    expect(((await tighten.json()) as { limits: { maxOpenPositions: number } }).limits.maxOpenPositions).toBe(5);

    const loosen = await stack.request('/risk/limits', { method: 'PUT', token: first, body: JSON.stringify({ maxOpenPositions: 12, dailyLossLimit: 40000 }) });
    expect(loosen.status).toBe(202);
    const pending = (await loosen.json()) as { limits: { maxOpenPositions: number; dailyLossLimit: number }; pending: { id: number } };
    expect(pending.limits).toMatchObject({ maxOpenPositions: 5, dailyLossLimit: 40000 });
    expect((await stack.request(`/risk/limits/changes/${pending.pending.id}/approve`, { method: 'POST', token: first })).status).toBe(403);
    // Nor through an admin key the first admin made for the second: the key's maker is behind it.
    const made = await stack.request('/api-keys', { method: 'POST', token: first, body: JSON.stringify({ name: 'approver', userId: second.id, scopes: ['read', 'trade', 'admin'] }) });
    expect(made.status).toBe(201);
    const viaKey = await stack.request(`/risk/limits/changes/${pending.pending.id}/approve`, { method: 'POST', headers: { 'X-API-Key': ((await made.json()) as { key: string }).key } });
    expect(viaKey.status).toBe(403);
    expect(((await viaKey.json()) as { type: string }).type).toBe('/problems/maker-checker');
    const approved = await stack.request(`/risk/limits/changes/${pending.pending.id}/approve`, { method: 'POST', token: second.accessToken });
    expect(approved.status).toBe(200);
    expect(((await approved.json()) as { limits: { maxOpenPositions: number } }).limits.maxOpenPositions).toBe(12);
    await sealAudit(stack.db.sql);
    const changes = await stack.db.sql`select payload from audit_events where event_type = 'CONFIG_CHANGED' and payload->>'setting' = 'risk_limits' order by seq`;
    expect(changes.map((c) => c.payload.new)).toEqual([{ maxOpenPositions: 5 }, { dailyLossLimitPaise: 40_000_00 }, { maxOpenPositions: 12 }]);
    expect(changes[2]!.payload.old).toEqual({ maxOpenPositions: 5 });
  });
});

describe('failing closed', () => {
  it('refuses an entry when the broker cannot give a price', async () => {
    const blind = await startStack({
      broker: (_config, db) => {
        const paper = new (stack.paper.constructor as new (o: unknown) => Broker)({ sql: db.sql, marketHours: 'always', slippageBps: 0, randomWalk: false, seed: 1 });
        return Object.assign(Object.create(paper), { quote: () => Promise.reject(new BrokerUnavailableError('quotes down')) }) as Broker;
      },
    });
    try {
      const token = (await blind.userWithRole('trader')).accessToken;
      const res = await enter(blind, token, market('SBIN'));
      expect(res.status).toBe(422);
      expect((res.body as unknown as { violations: { rule: string }[] }).violations.map((v) => v.rule)).toContain('PRICE_UNAVAILABLE');
      expect(await blind.db.sql`select 1 from paper_orders`).toHaveLength(0);
      await recordHistory(blind.client, `trade-${res.body.id ?? (res.body as unknown as { tradeId: string }).tradeId}`, 'tradeWorkflow', 'risk-rejected', workflowBundleCode());
    } finally {
      await blind.stop();
    }
  });
});
