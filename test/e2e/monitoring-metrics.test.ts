import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBrokerMetrics } from '../../src/observability/broker-metrics.ts';
import { createMetrics } from '../../src/observability/metrics.ts';
import { startProcessMonitoring } from '../../src/observability/process-monitoring.ts';
import { processSource } from '../../src/observability/heartbeat.ts';
import type { MonitoringSnapshot } from '../../src/observability/snapshot.ts';
import { startWorkerHttp, type WorkerHttp } from '../../src/worker/http.ts';
import { silentLogger } from '../support/logger.ts';
import { metricValue } from '../support/prometheus.ts';
import { ownAccountId, startStack, type TestStack } from '../support/stack.ts';
import { enter, market } from '../support/trading.ts';

let stack: TestStack;
let trader: string;
let viewer: string;
let workerHttp: WorkerHttp;
const workerMetrics = createMetrics('worker');
const brokerMetrics = createBrokerMetrics(workerMetrics.registry, 'paper');
const reliance = { symbol: 'RELIANCE', exchange: 'NSE', product: 'CASH' } as const;

beforeAll(async () => {
  stack = await startStack({ brokerMetrics, settings: { ACCOUNT_ID: ownAccountId() } });
  trader = (await stack.userWithRole('trader')).accessToken;
  viewer = (await stack.userWithRole('viewer')).accessToken;
  await stack.paper.setQuote(reliance, 245000);
  workerHttp = await startWorkerHttp(0, '127.0.0.1', workerMetrics.registry, silentLogger);

  const trade = (key: string, quantity: number) => enter(stack, trader, market('RELIANCE', { quantity }), key);
  expect((await trade('metrics-open-0001', 10)).status).toBe(201);
  // Worth ₹2,45,00,000: far past RISK_MAX_TRADE_VALUE, refused by the risk check.
  expect((await trade('metrics-reject-0001', 10_000)).status).toBe(422);
});

afterAll(async () => {
  await workerHttp?.close();
  await stack?.stop();
});

describe('trading metrics after a trade', () => {
  it('GET /monitoring/metrics shows the position, exposure, P&L, orders and the rejection by rule', async () => {
    const res = await stack.request('/monitoring/metrics', { token: viewer });
    expect(res.status).toBe(200);
    const m = (await res.json()) as MonitoringSnapshot & { samples: { name: string; labels: Record<string, string>; value: number }[] };
    const account = m.accounts.find((a) => a.accountId === stack.config.account.ACCOUNT_ID)!;
    expect(account).toMatchObject({ tradingState: 'ACTIVE', openPositions: 1, exposureRupees: 24500, realized: { gross: 0, net: 0 }, unrealized: { gross: 0 } });
    expect(account.dailyLoss.limit).toBe(stack.config.risk.RISK_DAILY_LOSS_LIMIT);
    expect(m.ordersToday.FILLED ?? m.ordersToday.OPEN).toBe(1);
    expect(m.riskRejectionsToday.MAX_TRADE_VALUE).toBe(1);
    expect(m.taskQueue.workflowPollers).toBeGreaterThanOrEqual(1);
    // A new install is quiet: the registry holds no verified backup yet, and none is due yet.
    expect(m.backups.available).toBe(true);
    expect(m.backups.kinds.find((k) => k.kind === 'daily')).toMatchObject({ stale: false, failed: false, lastVerifiedAt: null });
    expect(m.samples.filter((x) => x.name === 'breeze_backup_stale').map((x) => x.value)).toEqual([0, 0, 0]);
    expect(m.samples).toContainEqual({ name: 'breeze_open_positions', labels: { account: stack.config.account.ACCOUNT_ID }, value: 1 });
  });

  it('GET /metrics exposes the trading gauges in Prometheus text, to scrapers on the private network only', async () => {
    // The test stack's default caller is a public address: P&L is not for it.
    const outside = await stack.request('/metrics');
    expect(outside.status).toBe(403);
    expect(await outside.text()).not.toContain('breeze_pnl');
    const res = await stack.request('/metrics', { ip: '10.1.2.3' });
    expect(res.status).toBe(200);
    const text = await res.text();
    const account = { account: stack.config.account.ACCOUNT_ID, process: 'api' };
    expect(metricValue(text, 'breeze_open_positions', account)).toBe(1);
    expect(metricValue(text, 'breeze_exposure_rupees', account)).toBe(24500);
    // Net of the entry's charges (brokerage, taxes): the open position has cost them already.
    const [open] = await stack.db.sql<{ charges: number }[]>`select charges_paise as charges from trades where status = 'OPEN'`;
    expect(open!.charges).toBeGreaterThan(0);
    expect(metricValue(text, 'breeze_pnl_unrealized_rupees', { ...account, basis: 'net' })).toBe(-open!.charges / 100);
    expect(metricValue(text, 'breeze_pnl_realized_rupees', { ...account, basis: 'gross' })).toBe(0);
    expect(metricValue(text, 'breeze_risk_rejections_today', { rule: 'MAX_TRADE_VALUE' })).toBe(1);
    expect(metricValue(text, 'breeze_trading_halted', account)).toBe(0);
    expect(metricValue(text, 'breeze_task_queue_pollers', { type: 'workflow' })).toBeGreaterThanOrEqual(1);
    expect(metricValue(text, 'http_requests_total', { route: '/monitoring/metrics', status: '200' })).toBeGreaterThanOrEqual(0);
  });

  it('the worker listener serves broker call metrics recorded by the activities, and the heartbeat shares them', async () => {
    const text = await (await fetch(`http://127.0.0.1:${workerHttp.port}/metrics`)).text();
    const placed = { broker: 'paper', method: 'placeOrder', outcome: 'ok', process: 'worker' };
    expect(metricValue(text, 'breeze_broker_calls_total', placed)).toBe(1);
    expect(metricValue(text, 'breeze_broker_call_duration_seconds_count', placed)).toBe(1);

    const heartbeat = startProcessMonitoring({ sql: stack.db.sql, config: stack.config, log: silentLogger, kind: 'worker', metrics: createMetrics('worker-test'), broker: { name: 'paper', metrics: brokerMetrics } });
    await heartbeat.beat();
    // A new snapshot (the API caches one for a few seconds).
    const { readSnapshot } = await import('../../src/observability/snapshot.ts');
    const m = await readSnapshot({ sql: stack.db.sql, config: stack.config });
    expect(m.broker.calls5m).toBeGreaterThanOrEqual(2);
    expect(m.broker).toMatchObject({ errors5m: 0, sessionExpired: false });
    const worker = (p: { source: string }) => p.source === processSource('worker');
    expect(m.processes.find(worker)).toMatchObject({ kind: 'worker', memoryRatio: expect.any(Number), diskFreeRatio: expect.any(Number) });

    // A process that stops drops out of the system panel (and so out of its CPU alerts) at once;
    // the broker calls it made still count.
    await heartbeat.stop();
    const after = await readSnapshot({ sql: stack.db.sql, config: stack.config });
    expect(after.processes.some(worker)).toBe(false);
    expect(after.broker.calls5m).toBeGreaterThanOrEqual(2);
  });

  it('GET /monitoring/pnl ends at the present, against the daily loss limit', async () => {
    const res = await stack.request('/monitoring/pnl', { token: viewer });
    const body = (await res.json()) as { dailyLossLimit: number; samples: { total: number }[] };
    expect(body.dailyLossLimit).toBe(stack.config.risk.RISK_DAILY_LOSS_LIMIT);
    expect(body.samples.at(-1)).toMatchObject({ total: 0 });
  });
});

