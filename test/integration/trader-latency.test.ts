/**
 * The trader's latencies as Prometheus histograms on the worker's /metrics
 * (src/observability/trade-latency.ts): request-to-entry-order-at-the-broker after a trade, and
 * tick-to-exit-order after the price goes through its stop-loss.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBrokerMetrics } from '../../src/observability/broker-metrics.ts';
import { createMetrics } from '../../src/observability/metrics.ts';
import { startWorkerHttp, type WorkerHttp } from '../../src/worker/http.ts';
import { silentLogger } from '../support/logger.ts';
import { metricValue } from '../support/prometheus.ts';
import { ownAccountId, startStack, type TestStack } from '../support/stack.ts';
import { enter, eventually, hasStatus, market, waitForTrade } from '../support/trading.ts';

let stack: TestStack;
let trader: string;
let workerHttp: WorkerHttp;
const workerMetrics = createMetrics('worker');
const brokerMetrics = createBrokerMetrics(workerMetrics.registry, 'test');
const itc = { symbol: 'ITC', exchange: 'NSE', product: 'CASH' } as const;

beforeAll(async () => {
  stack = await startStack({ brokerMetrics, symbols: ['ITC'], settings: { ACCOUNT_ID: ownAccountId(), TRADE_ACK_WAIT_MS: '5000' } });
  trader = (await stack.userWithRole('trader')).accessToken;
  workerHttp = await startWorkerHttp(0, '127.0.0.1', workerMetrics.registry, silentLogger);
});
afterAll(async () => {
  await workerHttp?.close();
  await stack?.stop();
});

async function scrape(): Promise<string> {
  return (await fetch(`http://127.0.0.1:${workerHttp.port}/metrics`)).text();
}

describe('trader latency metrics', () => {
  it('counts the time from POST /trades to the entry order at the broker, and from the stop tick to the exit order', async () => {
    const before = await scrape();
    // a labelled histogram shows no series until its first observation
    expect(metricValue(before, 'trade_entry_to_broker_seconds_count', { broker: 'test' })).toBeUndefined();
    expect(metricValue(before, 'tick_to_exit_order_seconds_count', { reason: 'STOP_LOSS' })).toBeUndefined();

    await stack.market.setQuote(itc, 450_00);
    const { body } = await enter(stack, trader, market('ITC', { stopLoss: 440, target: 470 }));
    await waitForTrade(stack, trader, body.id, hasStatus('OPEN'));
    const entered = await scrape();
    expect(metricValue(entered, 'trade_entry_to_broker_seconds_count', { broker: 'test' })).toBe(1);
    // the whole request took less than a minute, so its one observation is under the 30 s bucket
    expect(metricValue(entered, 'trade_entry_to_broker_seconds_bucket', { le: '30' })).toBe(1);

    // the stop rests at the broker; its limit is 0.5% under the trigger: ₹430 gaps through it, the
    // price watcher decides the exit and the stop is sent again as a marketable limit
    await eventually(async () => (await stack.market.orders(body.id)).some((o) => o.tag === `${body.id}S1` && o.status === 'OPEN'), 30_000, 'the stop resting');
    await stack.market.setQuote(itc, 430_00);
    const closed = await waitForTrade(stack, trader, body.id, hasStatus('CLOSED'));
    expect(closed.exitReason).toBe('STOP_LOSS');
    const exited = await scrape();
    expect(metricValue(exited, 'tick_to_exit_order_seconds_count', { broker: 'test', reason: 'STOP_LOSS' })).toBe(1);
    expect(metricValue(exited, 'tick_to_exit_order_seconds_bucket', { reason: 'STOP_LOSS', le: '+Inf' })).toBe(1);
    // the exit is not an entry: that count stays
    expect(metricValue(exited, 'trade_entry_to_broker_seconds_count', { broker: 'test' })).toBe(1);
  }, 120_000);
});
