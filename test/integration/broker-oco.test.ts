/**
 * Stop-loss and target of an F&O trade held by the broker as one OCO order (issue 13, the
 * broker-oco patch): on Breeze a GTT OCO (docs/breeze-api.md#gtt-orders), which cancels its other
 * leg by itself while no worker runs; on the paper exchange, which holds no OCO, the trade keeps
 * its own stop and target one-cancels-other. Driven through the HTTP API and `stack.market`, with
 * the worker a separate process that the drill stops.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it, onTestFailed } from 'vitest';
import type { GttOrder } from '../../tools/breeze-emulator/gtt-book.ts';
import { recordHistory } from '../support/history-json.ts';
import { startStack, type TestStack, workflowBundleCode } from '../support/stack.ts';
import { enter, eventually, hasStatus, market, waitForTrade } from '../support/trading.ts';
import { spawnWorker, type WorkerProcess } from '../support/worker-process.ts';

// one contract a test: a mismatch the reconciler sees while the worker is down locks that instrument's entries
const NIFTY = { symbol: 'NIFTY', exchange: 'NFO', product: 'FUTURES', expiry: '2026-12-29' } as const;
const BANKNIFTY = { symbol: 'BANKNIFTY', exchange: 'NFO', product: 'FUTURES', expiry: '2026-12-29' } as const;
const NIFTY_CALL = { symbol: 'NIFTY', exchange: 'NFO', product: 'OPTIONS', expiry: '2026-12-29', strikePaise: 24_000_00, right: 'CALL' } as const;
type Contract = typeof NIFTY | typeof BANKNIFTY | typeof NIFTY_CALL;
const LOT = { NIFTY: 65, BANKNIFTY: 30 };
const contractFields = (c: Contract) => ('strikePaise' in c ? { exchange: 'NFO', product: 'OPTIONS', expiry: c.expiry, strike: c.strikePaise / 100, right: c.right } : { exchange: 'NFO', product: 'FUTURES', expiry: c.expiry });
/** Limits wide enough for an index future (the worker process is told them too). */
const RISK = { RISK_MAX_TRADE_VALUE: '100000000', ACCOUNT_CAPITAL: '1000000000', RISK_MAX_POSITION_QUANTITY: '100000' };

let stack: TestStack;
let trader: string;
let worker: WorkerProcess | undefined;
const workers: WorkerProcess[] = [];

function startWorker(): WorkerProcess {
  const started = spawnWorker(stack, RISK);
  workers.push(started);
  return started;
}

beforeAll(async () => {
  stack = await startStack({
    noWorker: true,
    settings: { TRADE_ACK_WAIT_MS: '5000', RATE_LIMIT_TRADING: '1000,10000,100000,1000000', ...RISK },
  });
  trader = (await stack.userWithRole('trader')).accessToken;
  worker = startWorker();
});
beforeEach(() => {
  onTestFailed(() => workers.forEach((w, i) => console.error(`worker process ${i + 1} output:\n${w.output()}`)));
});
afterAll(async () => {
  await worker?.stop();
  await stack?.stop();
});

const quote = (contract: Contract, rupees: number) => stack.market.setQuote(contract, Math.round(rupees * 100));
const breeze = () => stack.market.broker === 'breeze';
const future = (contract: Contract, extra: Record<string, unknown>) => market(contract.symbol, { ...contractFields(contract), quantity: LOT[contract.symbol], ...extra });

/** The emulator's GTTs on the contract, newest last (Breeze only). */
const gtts = (): GttOrder[] => [...(stack.emulator?.gtts.orders.values() ?? [])].filter((g) => g.instrument.exchange === 'NFO');
/** The emulator's NFO orders placed since `since` (the GTT's own orders carry no tag). */
const nfoOrders = (since: Date) => [...(stack.emulator?.book.orders.values() ?? [])].filter((o) => o.instrument.exchange === 'NFO' && o.createdAt >= since);
const summary = async (tradeId: string) => (await stack.market.orders(tradeId)).map((o) => `${o.tag.slice(-2)} ${o.status}`);

/** Protection in place: the broker's OCO on Breeze, the trade's own stop and target on paper. */
async function protectedBy(tradeId: string): Promise<GttOrder | undefined> {
  if (breeze()) {
    await eventually(async () => gtts().some((g) => g.legs.every((l) => l.status === 'Active')), 30_000, 'the OCO at the broker');
    return gtts().at(-1);
  }
  await eventually(async () => (await summary(tradeId)).join() === 'E1 FILLED,S1 OPEN,T1 OPEN', 30_000, 'stop and target resting');
  return undefined;
}

describe('stop-loss and target of an F&O trade, one-cancels-other', () => {
  it('with no worker running, the target fills and the stop is cancelled; the returning worker closes the trade as TARGET from that fill', async () => {
    await quote(NIFTY, 24_500);
    const since = new Date();
    const { body } = await enter(stack, trader, future(NIFTY, { stopLoss: 24_400, target: 24_600 }));
    await waitForTrade(stack, trader, body.id, hasStatus('OPEN'), 30_000);
    const oco = await protectedBy(body.id);
    if (oco) {
      expect(oco.legs.map((l) => [l.legType, l.action, l.triggerPaise])).toEqual([['target', 'sell', 24_600_00], ['stoploss', 'sell', 24_400_00]]);
      // nothing but the entry was sent as an order: the stop and target are the broker's
      expect(await summary(body.id)).toEqual(['E1 FILLED']);
    }

    await worker!.stop();
    await quote(NIFTY, 24_610);
    if (breeze()) {
      // the broker fired the target leg and cancelled the stop leg by itself
      await eventually(async () => oco!.legs.map((l) => l.status).join() === 'Triggered,Cancelled', 5_000, 'the OCO fired');
      await quote(NIFTY, 24_300); // a fall through the old stop sends nothing now
    }

    worker = startWorker();
    const closed = await waitForTrade(stack, trader, body.id, hasStatus('CLOSED'), 90_000);
    expect(closed.exitReason).toBe('TARGET');
    expect(closed.exitPrice).toBe(24_610);
    expect(closed.pnl?.gross).toBe(110 * LOT.NIFTY);
    if (breeze()) {
      // the entry and one exit order, the target's: nothing sent twice
      expect(nfoOrders(since).map((o) => `${o.action} ${o.status}`)).toEqual(['buy Executed', 'sell Executed']);
      expect(await summary(body.id)).toEqual(['E1 FILLED']);
      await recordHistory(stack.client, `trade-${body.id}`, 'tradeWorkflow', 'broker-oco-target-filled-worker-down', workflowBundleCode(), 'breeze');
    } else {
      expect(await summary(body.id)).toEqual(['E1 FILLED', 'S1 CANCELLED', 'T1 FILLED']);
    }
  }, 180_000);

  it('cancels the OCO before a requested exit, which alone closes the position', async () => {
    await quote(BANKNIFTY, 52_000);
    const since = new Date();
    const { body } = await enter(stack, trader, future(BANKNIFTY, { stopLoss: 51_800, target: 52_300 }));
    await waitForTrade(stack, trader, body.id, hasStatus('OPEN'), 30_000);
    const oco = await protectedBy(body.id);
    const res = await stack.request(`/trades/${body.id}/exit`, { method: 'POST', token: trader });
    expect(res.status).toBeLessThan(300);
    const closed = await waitForTrade(stack, trader, body.id, hasStatus('CLOSED'), 90_000);
    expect(closed.exitReason).toBe('REQUESTED');
    if (breeze()) {
      expect(oco!.legs.map((l) => l.status)).toEqual(['Cancelled', 'Cancelled']);
      expect(nfoOrders(since).map((o) => `${o.action} ${o.status}`)).toEqual(['buy Executed', 'sell Executed']);
      expect(await summary(body.id)).toEqual(['E1 FILLED', 'X1 FILLED']);
      await recordHistory(stack.client, `trade-${body.id}`, 'tradeWorkflow', 'broker-oco-requested-exit', workflowBundleCode(), 'breeze');
    } else {
      expect(await summary(body.id)).toEqual(['E1 FILLED', 'S1 CANCELLED', 'T1 CANCELLED', 'X1 FILLED']);
    }
  }, 120_000);

  it('moves the OCO stop leg on PATCH, and a fall through the new stop closes the trade as STOP_LOSS with one exit order', async () => {
    await quote(NIFTY_CALL, 300);
    const since = new Date();
    const { body } = await enter(stack, trader, future(NIFTY_CALL, { stopLoss: 280, target: 340 }));
    await waitForTrade(stack, trader, body.id, hasStatus('OPEN'), 30_000);
    const oco = await protectedBy(body.id);
    const moved = await stack.request(`/trades/${body.id}`, { method: 'PATCH', token: trader, body: JSON.stringify({ stopLoss: 290 }) });
    expect(moved.status).toBe(200);
    if (oco) expect(oco.legs.map((l) => l.triggerPaise)).toEqual([340_00, 290_00]);
    else expect((await stack.market.orders(body.id)).find((o) => o.tag === `${body.id}S1`)?.triggerPricePaise).toBe(290_00);
    // the stop's limit is 0.5% under its trigger (₹288.55): ₹289 fills it
    await quote(NIFTY_CALL, 289);
    const closed = await waitForTrade(stack, trader, body.id, hasStatus('CLOSED'), 90_000);
    expect(closed.exitReason).toBe('STOP_LOSS');
    expect(closed.exitPrice).toBe(289);
    if (breeze()) {
      expect(oco!.legs.map((l) => l.status)).toEqual(['Cancelled', 'Triggered']);
      expect(nfoOrders(since).map((o) => `${o.action} ${o.status}`)).toEqual(['buy Executed', 'sell Executed']);
      await recordHistory(stack.client, `trade-${body.id}`, 'tradeWorkflow', 'broker-oco-stop-moved', workflowBundleCode(), 'breeze');
    } else {
      expect(await summary(body.id)).toEqual(['E1 FILLED', 'S1 FILLED', 'T1 CANCELLED']);
    }
  }, 120_000);
});
