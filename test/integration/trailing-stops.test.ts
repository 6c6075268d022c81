/**
 * Trailing stops (issue 13, item 4): the stop-loss resting at the broker follows the best price
 * since entry and never moves back; PATCH /trades/{id} sets or clears the distance. Driven through
 * the HTTP API with the market moved through `stack.market`, so it runs against the paper exchange
 * and the Breeze emulator alike.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Instrument } from '../../src/domain/trade.ts';
import { recordHistory } from '../support/history-json.ts';
import { startStack, type TestStack, workflowBundleCode } from '../support/stack.ts';
import { enter, eventually, hasStatus, market, type TradeJson, waitForTrade } from '../support/trading.ts';

let stack: TestStack;
let trader: string;

beforeAll(async () => {
  stack = await startStack({ symbols: ['LT', 'SBIN', 'AXISBANK'], settings: { TRADE_ACK_WAIT_MS: '5000', RISK_MAX_OPEN_POSITIONS: '10', RATE_LIMIT_TRADING: '1000,10000,100000,1000000' } });
  trader = (await stack.userWithRole('trader')).accessToken;
});
afterAll(async () => {
  await stack?.stop();
});

const cash = (symbol: string): Instrument => ({ symbol, exchange: 'NSE', product: 'CASH' });
const quote = (symbol: string, rupees: number) => stack.market.setQuote(cash(symbol), Math.round(rupees * 100));

/** The trigger of the trade's resting stop (paise), once it rests at `paise`. */
async function stopRestsAt(tradeId: string, paise: number): Promise<void> {
  await eventually(async () => {
    const stops = (await stack.market.orders(`${tradeId}S`)).filter((o) => o.status === 'OPEN');
    return stops.length === 1 && stops[0]!.triggerPricePaise === paise;
  }, 30_000, `the stop resting at ${paise / 100}`);
}

async function restingTrigger(tradeId: string): Promise<number | undefined> {
  return (await stack.market.orders(`${tradeId}S`)).find((o) => o.status === 'OPEN')?.triggerPricePaise;
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function protectionChanges(tradeId: string): Promise<{ before: Record<string, unknown>; after: Record<string, unknown>; reason?: string }[]> {
  const res = await stack.request(`/trades/${tradeId}/timeline`, { token: trader });
  const { events } = (await res.json()) as { events: { type?: string; eventType?: string; payload: never }[] };
  return events.filter((e) => (e.type ?? e.eventType) === 'TRADE_PROTECTION_CHANGED').map((e) => e.payload);
}

describe('a trailing stop', () => {
  it('raises a long’s resting stop with the high, never lowers it, and closes the trade as STOP_LOSS at the raised level with a profit', async () => {
    await quote('LT', 1000);
    const { body } = await enter(stack, trader, market('LT', { trailingStop: { rupees: 10 } }));
    expect(body.status).toBe('OPEN');
    // no stop-loss asked for: the first is ₹10 under the entry fill
    const entry = Math.round((body.entryPrice ?? 0) * 100);
    await stopRestsAt(body.id, Math.floor((entry - 10_00) / 5) * 5);

    await quote('LT', 1020);
    await stopRestsAt(body.id, 1010_00);
    const trailed = await waitForTrade(stack, trader, body.id, (t) => t.stopLoss === 1010);
    expect(trailed.status).toBe('OPEN');
    // the trade shows its protection in force, not only the audit trail
    expect(trailed.protection).toEqual({ stopLoss: 1010, target: null, trailingStop: { rupees: 10 }, trailedStop: 1010 });

    await quote('LT', 1015);
    await pause(7_000);
    expect(await restingTrigger(body.id)).toBe(1010_00);

    await quote('LT', 1008);
    const closed = await waitForTrade(stack, trader, body.id, hasStatus('CLOSED'), 60_000);
    expect(closed.exitReason).toBe('STOP_LOSS');
    expect(closed.exitPrice).toBeGreaterThan(1000);
    expect(closed.exitPrice).toBeLessThanOrEqual(1010);
    expect(closed.pnl!.gross).toBeGreaterThan(0);
    const orders = await stack.market.orders(body.id);
    expect(orders.map((o) => `${o.tag.slice(-2)} ${o.status}`)).toEqual(['E1 FILLED', 'S1 FILLED']);

    const changes = await protectionChanges(body.id);
    expect(changes.every((c) => c.reason === 'trailing')).toBe(true);
    const stops = changes.map((c) => c.after.stopLossPaise as number);
    expect(stops.at(-1)).toBe(1010_00);
    expect([...stops].sort((a, b) => a - b)).toEqual(stops); // only ever up
    await recordHistory(stack.client, `trade-${body.id}`, 'tradeWorkflow', 'trailing-stop-long', workflowBundleCode());
  }, 120_000);

  it('lowers a short’s resting stop with the low (a percent trail over an initial stop-loss)', async () => {
    await quote('SBIN', 600);
    const { body } = await enter(stack, trader, market('SBIN', { side: 'SELL', stopLoss: 615, trailingStop: { percent: 1 } }));
    expect(body.status).toBe('OPEN');
    // 1% over the entry (about ₹606) is tighter than ₹615: the trail takes over at once
    await eventually(async () => ((await restingTrigger(body.id)) ?? Infinity) < 615_00, 30_000, 'the stop tightened');

    await quote('SBIN', 590);
    await stopRestsAt(body.id, 595_90);
    expect((await waitForTrade(stack, trader, body.id, (t) => t.stopLoss === 595.9)).protection).toMatchObject({ trailingStop: { percent: 1 }, trailedStop: 595.9 });
    await quote('SBIN', 594);
    await pause(7_000);
    expect(await restingTrigger(body.id)).toBe(595_90);

    await quote('SBIN', 597);
    const closed = await waitForTrade(stack, trader, body.id, hasStatus('CLOSED'), 60_000);
    expect(closed.exitReason).toBe('STOP_LOSS');
    expect(closed.exitPrice).toBeGreaterThanOrEqual(595.9);
    expect(closed.pnl!.gross).toBeGreaterThan(0);
  }, 120_000);
});

describe('trailing distance on PATCH /trades/{id}', () => {
  it('starts trailing an open trade from the last price, and stops trailing when cleared', async () => {
    await quote('AXISBANK', 800);
    const { body } = await enter(stack, trader, market('AXISBANK', { stopLoss: 780 }));
    await stopRestsAt(body.id, 780_00);
    const patch = (change: Record<string, unknown>) => stack.request(`/trades/${body.id}`, { method: 'PATCH', token: trader, body: JSON.stringify(change) });

    const set = await patch({ trailingStop: { rupees: 5 } });
    expect(set.status).toBe(200);
    await stopRestsAt(body.id, 795_00);
    expect((await waitForTrade(stack, trader, body.id, (t) => t.stopLoss === 795)).protection).toEqual({ stopLoss: 795, target: null, trailingStop: { rupees: 5 }, trailedStop: 795 });
    const changes = await protectionChanges(body.id);
    expect(changes[0]).toMatchObject({ before: { stopLossPaise: 780_00, trailingStop: null }, after: { trailingStop: { paise: 5_00 } } });

    await quote('AXISBANK', 810);
    await stopRestsAt(body.id, 805_00);

    expect((await patch({ trailingStop: null })).status).toBe(200);
    await quote('AXISBANK', 830);
    await pause(7_000);
    expect(await restingTrigger(body.id)).toBe(805_00);
    const last = (await protectionChanges(body.id)).at(-1)!;
    expect(last.after).toMatchObject({ stopLossPaise: 805_00, trailingStop: null });
    expect((await waitForTrade(stack, trader, body.id, hasStatus('OPEN'))).protection).toEqual({ stopLoss: 805, target: null, trailingStop: null, trailedStop: null });

    await stack.request(`/trades/${body.id}/exit`, { method: 'POST', token: trader });
    await waitForTrade(stack, trader, body.id, hasStatus('CLOSED'));
    await recordHistory(stack.client, `trade-${body.id}`, 'tradeWorkflow', 'trailing-stop-patched', workflowBundleCode());
  }, 120_000);

  it('refuses a trailing distance that cannot work (400 on entry; on PATCH 422 naming the field, 400 only for the wrong shape), and changes nothing', async () => {
    await quote('LT', 1000);
    for (const trailingStop of [{ rupees: 0 }, { rupees: -5 }, { percent: 0 }, { percent: -1 }, { rupees: 1.234 }, { rupees: 5, percent: 1 }]) {
      const refused = await enter(stack, trader, market('LT', { trailingStop }));
      expect(refused.status, JSON.stringify(trailingStop)).toBe(400);
    }
    const { body } = await enter(stack, trader, market('LT', { stopLoss: 990 }));
    await stopRestsAt(body.id, 990_00);
    const patch = (change: unknown) => stack.request(`/trades/${body.id}`, { method: 'PATCH', token: trader, body: JSON.stringify(change) });
    const cannotWork: [unknown, string][] = [
      [{ trailingStop: { rupees: 0 } }, '/trailingStop/rupees'],
      [{ trailingStop: { rupees: -5 } }, '/trailingStop/rupees'],
      [{ trailingStop: { rupees: 1.234 } }, '/trailingStop/rupees'],
      [{ trailingStop: { percent: -2 } }, '/trailingStop/percent'],
      [{ trailingStop: { percent: 0 } }, '/trailingStop/percent'],
      [{ trailingStop: { percent: 100 } }, '/trailingStop/percent'],
      [{ trailingStop: { rupees: 5, percent: 1 } }, '/trailingStop'],
      [{ trailingStop: {} }, '/trailingStop'],
      [{ stopLoss: -1 }, '/stopLoss'],
      [{ target: 1000.005 }, '/target'],
    ];
    for (const [change, pointer] of cannotWork) {
      const res = await patch(change);
      expect(res.status, JSON.stringify(change)).toBe(422);
      expect(res.headers.get('content-type')).toMatch(/application\/problem\+json/);
      const problem = (await res.json()) as { type: string; errors: { pointer: string }[] };
      expect(problem.type).toBe('/problems/protection-invalid');
      expect(problem.errors.map((e) => e.pointer)).toEqual([pointer]);
    }
    // JSON that is not even the right shape stays 400
    for (const change of [{ trailingStop: { rupees: '5' } }, { stopLoss: 'low' }, { trailingStop: 5 }, { trailingStop: { miles: 5 } }, {}, [1]]) {
      expect((await patch(change)).status, JSON.stringify(change)).toBe(400);
    }
    expect((await protectionChanges(body.id))).toHaveLength(0);
    const open: TradeJson = await waitForTrade(stack, trader, body.id, hasStatus('OPEN'));
    expect(open.stopLoss).toBe(990);
    await stack.request(`/trades/${body.id}/exit`, { method: 'POST', token: trader });
    await waitForTrade(stack, trader, body.id, hasStatus('CLOSED'));
  }, 120_000);
});
