/**
 * The exit book on a thread of its own (src/worker/exit-book-thread.ts): a tick that crosses a
 * stop is judged, and the trade told, while the worker's main thread is busy, which is what it is
 * when exits are being carried out under load. Paper only: the Breeze emulator streams its prices
 * from the test's own thread, which this test keeps busy.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createQuoteRation } from '../../src/activities/quote-ration.ts';
import { bookExitWatch, unbookExitWatch } from '../../src/db/exit-watches.ts';
import { instrumentKey } from '../../src/domain/trade.ts';
import { createBrokerMetrics } from '../../src/observability/broker-metrics.ts';
import { createMetrics } from '../../src/observability/metrics.ts';
import { startExitBookThread } from '../../src/worker/exit-book-thread.ts';
import { silentLogger } from '../support/logger.ts';
import { metricValue } from '../support/prometheus.ts';
import { ownAccountId, startStack, type TestStack } from '../support/stack.ts';
import { enter, eventually, hasStatus, market, waitForTrade } from '../support/trading.ts';

let stack: TestStack;
let trader: string;
const workerMetrics = createMetrics('worker');
const brokerMetrics = createBrokerMetrics(workerMetrics.registry, 'paper');
const itc = { symbol: 'ITC', exchange: 'NSE', product: 'CASH' } as const;
/** How long the main thread is kept busy: far longer than judging a tick takes. */
const BUSY_MS = 1_500;

beforeAll(async () => {
  stack = await startStack({ testBroker: 'paper', brokerMetrics, settings: { ACCOUNT_ID: ownAccountId() } });
  trader = (await stack.userWithRole('trader')).accessToken;
});
afterAll(async () => stack?.stop());

/** The main thread does nothing else for `ms` (no timer, no I/O callback, no message runs meanwhile). */
function keepBusy(ms: number): { from: number; to: number } {
  const from = Date.now();
  while (Date.now() - from < ms);
  return { from, to: Date.now() };
}

const millis = (t: { seconds?: unknown; nanos?: number | null } | null | undefined) => Number(t?.seconds ?? 0) * 1000 + Math.floor((t?.nanos ?? 0) / 1e6);

describe("the exit book's thread", () => {
  it('decides a crossed stop and tells the trade while the main thread is busy', async () => {
    await stack.market.setQuote(itc, 450_00);
    const { body } = await enter(stack, trader, market('ITC', { stopLoss: 440 }));
    await waitForTrade(stack, trader, body.id, hasStatus('OPEN'));
    const workflowId = `trade-${body.id}`;
    await eventually(async () => (await stack.db.sql`select 1 from exit_watches where workflow_id = ${workflowId}`).length > 0, 30_000, 'the stop booked');
    // The thread follows a booking once its NOTIFY came and it read the row: a price through the
    // stop before that is decided when the booking arrives, from the last price, which is no tick's
    // decision (no tick_to_exit_decision sample). Under a loaded full run that race was lost once.
    await new Promise((r) => setTimeout(r, 1000));

    // through the resting stop's limit (0.5% under ₹440): the book, not the exchange, decides the exit
    await stack.market.setQuote(itc, 430_00);
    const busy = keepBusy(BUSY_MS);

    const decided = await eventually(async () => metricValue(await workerMetrics.registry.metrics(), 'tick_to_exit_decision_seconds_sum', { reason: 'STOP_LOSS' }), 10_000, 'the decision observed');
    // judged when the tick came, not after the main thread was free again
    expect(decided).toBeLessThan(BUSY_MS / 2 / 1000);
    const { events } = await stack.client.workflow.getHandle(workflowId).fetchHistory();
    const told = events?.find((e) => e.workflowExecutionSignaledEventAttributes?.signalName === 'priceCrossed');
    expect(told).toBeDefined();
    // the trade was told by the thread's own client while this thread was busy
    expect(millis(told!.eventTime)).toBeGreaterThanOrEqual(busy.from);
    expect(millis(told!.eventTime)).toBeLessThan(busy.to);

    const closed = await waitForTrade(stack, trader, body.id, hasStatus('CLOSED'));
    expect(closed.exitReason).toBe('STOP_LOSS');
  }, 120_000);

  it('starts again when its thread ends, and follows the book from there', async () => {
    const tcs = { symbol: 'TCS', exchange: 'NSE', product: 'CASH' } as const;
    // a book of the test's own beside the worker's: what it watches, the main thread's feed records here
    const recorded: string[] = [];
    const ration = createQuoteRation({ quote: (instrument) => stack.broker.quote(instrument), perMinute: 60 });
    const running = await startExitBookThread({ config: stack.config, log: silentLogger, prices: stack.prices, ration, record: (key) => recorded.push(key), announceOrderChanges: false });
    try {
      await running.kill();
      await bookExitWatch(stack.db.sql, { workflowId: 'thread-test-1', booking: 'run:1', tradeId: 'tt1', instrument: tcs, side: 'BUY', stopLossPaise: 1000_00, restingOrderIds: [] });
      await stack.market.setQuote(tcs, 4000_00);
      // the restarted thread read the booking and asked the main thread to watch its instrument
      await eventually(async () => recorded.includes(instrumentKey(tcs)), 30_000, 'the booking followed after the restart');
    } finally {
      await running.close();
      await unbookExitWatch(stack.db.sql, 'thread-test-1');
    }
  }, 60_000);
});
