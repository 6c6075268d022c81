/**
 * Protection that rests at the broker (issue 13): the stop-loss and target of an open trade are
 * orders at the exchange (the paper exchange, or Breeze's emulator), one-cancels-other; they
 * protect the position while no worker runs. Driven through the HTTP API and `stack.market`, with
 * the worker a separate process that the drill stops.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it, onTestFailed } from 'vitest';
import { recordHistory } from '../support/history-json.ts';
import type { ExchangeOrder } from '../support/market.ts';
import { startStack, type TestStack, workflowBundleCode } from '../support/stack.ts';
import { enter, eventually, hasStatus, market, waitForTrade } from '../support/trading.ts';
import { spawnWorker, type WorkerProcess } from '../support/worker-process.ts';

let stack: TestStack;
let trader: string;
let worker: WorkerProcess | undefined;
/** Every worker process the file started, for the output a failure prints. */
const workers: WorkerProcess[] = [];

function startWorker(): WorkerProcess {
  const started = spawnWorker(stack);
  workers.push(started);
  return started;
}

beforeAll(async () => {
  stack = await startStack({ noWorker: true, symbols: ['TCS', 'INFY', 'WIPRO', 'ITC', 'HCLTECH'], settings: { TRADE_ACK_WAIT_MS: '5000', RISK_MAX_OPEN_POSITIONS: '10', RATE_LIMIT_TRADING: '1000,10000,100000,1000000' } });
  trader = (await stack.userWithRole('trader')).accessToken;
  worker = startWorker();
});
beforeEach(() => {
  // a failure shows what the worker process said (it logs warnings and errors only)
  onTestFailed(() => workers.forEach((w, i) => console.error(`worker process ${i + 1} output:\n${w.output()}`)));
});
afterAll(async () => {
  await worker?.stop();
  await stack?.stop();
});

async function quote(symbol: string, price: number): Promise<void> {
  await stack.market.setQuote({ symbol, exchange: 'NSE', product: 'CASH' }, Math.round(price * 100));
}

/** The trade's orders at the exchange, oldest first. */
const exchangeOrders = (tradeId: string): Promise<ExchangeOrder[]> => stack.market.orders(tradeId);

const summary = (orders: ExchangeOrder[]) => orders.map((o) => `${o.tag.slice(-2)} ${o.status}`);

async function resting(tradeId: string, tags: string[]): Promise<void> {
  await eventually(async () => {
    const orders = await exchangeOrders(tradeId);
    return tags.every((t) => orders.some((o) => o.tag === `${tradeId}${t}` && o.status === 'OPEN'));
  }, 30_000, `${tags.join(', ')} resting`);
}

async function noPendingActivities(tradeId: string): Promise<void> {
  const handle = stack.client.workflow.getHandle(`trade-${tradeId}`);
  await handle.result();
  const described = await handle.describe();
  expect(described.raw.pendingActivities ?? []).toHaveLength(0);
}

describe('a stop-loss resting at the broker', () => {
  it('fills with no worker running; the returning worker closes the trade as STOP_LOSS from that fill', async () => {
    await quote('TCS', 3500);
    const { body } = await enter(stack, trader, market('TCS', { stopLoss: 3450 }));
    // the worker process may still be starting: the entry answers PENDING then, and opens soon after
    await waitForTrade(stack, trader, body.id, hasStatus('OPEN'), 60_000);
    await resting(body.id, ['S1']);
    const [stop] = (await exchangeOrders(body.id)).filter((o) => o.tag === `${body.id}S1`);
    expect(stop).toMatchObject({ orderType: 'STOP_LIMIT', triggerPricePaise: 3450_00 });

    await worker!.stop();
    await quote('TCS', 3440);
    // the exchange fills the resting stop by itself, within a second
    await eventually(async () => summary(await exchangeOrders(body.id)).join() === 'E1 FILLED,S1 FILLED', 1_000, 'the stop filled at the exchange');
    expect((await exchangeOrders(body.id))[1]!.averagePricePaise).toBe(3440_00);

    worker = startWorker();
    const closed = await waitForTrade(stack, trader, body.id, hasStatus('CLOSED'), 90_000);
    expect(closed.exitReason).toBe('STOP_LOSS');
    expect(closed.exitPrice).toBe(3440);
    expect(closed.pnl?.gross).toBe(-600);
    expect(summary(await exchangeOrders(body.id))).toEqual(['E1 FILLED', 'S1 FILLED']);
    await noPendingActivities(body.id);
  }, 180_000);
});

describe('stop-loss and target, one-cancels-other', () => {
  it('cancels the stop when the target fills, and closes as TARGET leaving no activity behind', async () => {
    await quote('INFY', 1500);
    const { body } = await enter(stack, trader, market('INFY', { stopLoss: 1480, target: 1530 }));
    await resting(body.id, ['S1', 'T1']);
    await quote('INFY', 1531);
    const closed = await waitForTrade(stack, trader, body.id, hasStatus('CLOSED'));
    expect(closed.exitReason).toBe('TARGET');
    expect(closed.exitPrice).toBe(1531);
    expect(closed.pnl?.gross).toBe(310);
    await eventually(async () => summary(await exchangeOrders(body.id)).join() === 'E1 FILLED,S1 CANCELLED,T1 FILLED', 30_000, 'stop cancelled');
    await noPendingActivities(body.id);
    await recordHistory(stack.client, `trade-${body.id}`, 'tradeWorkflow', 'resting-target-filled', workflowBundleCode());
  }, 120_000);

  it('cancels both before a requested exit, which alone closes the position', async () => {
    await quote('WIPRO', 500);
    const { body } = await enter(stack, trader, market('WIPRO', { stopLoss: 490, target: 520 }));
    await resting(body.id, ['S1', 'T1']);
    const res = await stack.request(`/trades/${body.id}/exit`, { method: 'POST', token: trader });
    expect(res.status).toBeLessThan(300);
    const closed = await waitForTrade(stack, trader, body.id, hasStatus('CLOSED'));
    expect(closed.exitReason).toBe('REQUESTED');
    expect(summary(await exchangeOrders(body.id))).toEqual(['E1 FILLED', 'S1 CANCELLED', 'T1 CANCELLED', 'X1 FILLED']);
    await noPendingActivities(body.id);
    await recordHistory(stack.client, `trade-${body.id}`, 'tradeWorkflow', 'resting-legs-requested-exit', workflowBundleCode());
  }, 120_000);

  it('chases a stop the price gapped through until it fills, sending no other exit', async () => {
    await quote('ITC', 450);
    const { body } = await enter(stack, trader, market('ITC', { stopLoss: 440, target: 470 }));
    await resting(body.id, ['S1', 'T1']);
    // the stop's limit is 0.5% under its trigger (₹437.80): ₹430 triggers it but cannot fill it
    await quote('ITC', 430);
    const closed = await waitForTrade(stack, trader, body.id, hasStatus('CLOSED'));
    expect(closed.exitReason).toBe('STOP_LOSS');
    expect(closed.exitPrice).toBe(430);
    const orders = await exchangeOrders(body.id);
    expect(summary(orders)).toEqual(['E1 FILLED', 'S1 FILLED', 'T1 CANCELLED']);
    expect(orders[1]!.orderType).toBe('LIMIT');
    await noPendingActivities(body.id);
    await recordHistory(stack.client, `trade-${body.id}`, 'tradeWorkflow', 'resting-stop-chased', workflowBundleCode());
  }, 120_000);
});

describe('changing protection (PATCH /trades/{id})', () => {
  it('moves the resting stop at the broker, audits old and new values, and refuses a stop on the wrong side of the price', async () => {
    await quote('HCLTECH', 1500);
    const { body } = await enter(stack, trader, market('HCLTECH', { stopLoss: 1480, target: 1530 }));
    await resting(body.id, ['S1', 'T1']);
    const patch = (levels: Record<string, number>) => stack.request(`/trades/${body.id}`, { method: 'PATCH', token: trader, body: JSON.stringify(levels) });

    const wrong = await patch({ stopLoss: 1510 });
    expect(wrong.status).toBe(422);
    expect(((await wrong.json()) as { detail: string }).detail).toMatch(/stopLoss must be below the last price/);

    const moved = await patch({ stopLoss: 1490 });
    expect(moved.status).toBe(200);
    // the answer, like GET /trades/{id}, shows the protection in force
    expect(((await moved.json()) as { protection: unknown }).protection).toEqual({ stopLoss: 1490, target: 1530, trailingStop: null, trailedStop: null });
    const stop = (await exchangeOrders(body.id)).find((o) => o.tag === `${body.id}S1`);
    expect(stop).toMatchObject({ status: 'OPEN', triggerPricePaise: 1490_00 });
    const timeline = (await (await stack.request(`/trades/${body.id}/timeline`, { token: trader })).json()) as { events: { type?: string; eventType?: string; payload: unknown }[] };
    const changed = timeline.events.filter((e) => (e.type ?? e.eventType) === 'TRADE_PROTECTION_CHANGED');
    expect(changed).toHaveLength(1);
    expect(changed[0]!.payload).toEqual({ before: { stopLossPaise: 1480_00, targetPaise: 1530_00 }, after: { stopLossPaise: 1490_00, targetPaise: 1530_00 } });

    await quote('HCLTECH', 1489);
    const closed = await waitForTrade(stack, trader, body.id, hasStatus('CLOSED'));
    expect(closed.exitReason).toBe('STOP_LOSS');
    expect(summary(await exchangeOrders(body.id))).toEqual(['E1 FILLED', 'S1 FILLED', 'T1 CANCELLED']);
    expect((await patch({ target: 1600 })).status).toBe(409);
    await recordHistory(stack.client, `trade-${body.id}`, 'tradeWorkflow', 'resting-stop-moved', workflowBundleCode());
  }, 120_000);
});
