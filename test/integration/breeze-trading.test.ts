/**
 * The trade workflow with BROKER=breeze, against the Breeze emulator (the stand-in for the live
 * server): the lifecycle, a timeout after Breeze acted on the order (the ambiguous case), and
 * worker processes killed mid-trade. Each leg must reach "Breeze" exactly once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BreezeEmulator } from '../../tools/breeze-emulator/types.ts';
import { verifyChain } from '../../src/audit/verify.ts';
import { tagOfRemark } from '../../src/domain/strategy.ts';
import { type StackOptions, startStack, type TestStack } from '../support/stack.ts';
import { enter, eventually, hasStatus, market, waitForTrade } from '../support/trading.ts';
import { spawnWorker } from '../support/worker-process.ts';
import { sealAudit } from '../../src/audit/seal.ts';

const relind = { exchange: 'NSE', stockCode: 'RELIND', product: 'cash' } as const;
let emulator: BreezeEmulator;
/** What the tests' workers allow: several trades at once, and requests as fast as the tests make them. */
const limits = { RISK_MAX_OPEN_POSITIONS: '10', RATE_LIMIT_TRADING: '1000,10000,100000,1000000' };

/**
 * A stack on a Breeze emulator of its own for each group of tests: reconciliation (run at every
 * worker start) compares the broker's book with the database's, so two test databases must not
 * share one broker.
 */
async function breezeStack(options: StackOptions = {}): Promise<TestStack> {
  const stack = await startStack({ ...options, testBroker: 'breeze', settings: { ...limits, ...options.settings } });
  emulator = stack.emulator!;
  emulator.setQuote(relind, { ltpPaise: 2450_00 });
  return stack;
}

/** The orders Breeze received for a trade, by the tags in user_remark (the tag comes first, then strategy and algo id). */
function ordersAtBreeze(tradeId: string): string[] {
  return emulator
    .sent('POST', 'order')
    .map((r) => tagOfRemark((r.body as { user_remark?: string }).user_remark))
    .filter((tag) => tag.startsWith(tradeId));
}

describe('trading through Breeze', () => {
  let stack: TestStack;
  let trader: string;
  beforeAll(async () => {
    stack = await breezeStack();
    trader = (await stack.userWithRole('trader')).accessToken;
  });
  afterAll(async () => stack?.stop());

  it('enters, exits on request and realizes the P&L, one order per leg', async () => {
    const { status, body } = await enter(stack, trader, market('RELIANCE', { quantity: 4 }));
    expect(status).toBe(201);
    const open = await waitForTrade(stack, trader, body.id, hasStatus('OPEN'));
    expect(open.entryPrice).toBe(2450);
    emulator.setQuote(relind, { ltpPaise: 2470_00 });
    await stack.request(`/trades/${body.id}/exit`, { method: 'POST', token: trader });
    const closed = await waitForTrade(stack, trader, body.id, hasStatus('CLOSED'));
    expect(closed.pnl?.gross).toBe(80);
    expect(ordersAtBreeze(body.id)).toEqual([`${body.id}E1`, `${body.id}X1`]);
  });

  it('rests the stop-loss at Breeze as a stoploss order and the target as a limit; a gapped stop is chased with PUT order', async () => {
    emulator.setQuote(relind, { ltpPaise: 2450_00 });
    const { body } = await enter(stack, trader, market('RELIANCE', { quantity: 2, stopLoss: 2400, target: 2500 }));
    await waitForTrade(stack, trader, body.id, hasStatus('OPEN'));
    const stop = await eventually(async () => emulator.sent('POST', 'order').find((r) => tagOfRemark((r.body as { user_remark?: string }).user_remark) === `${body.id}S1`), 30_000, 'the stop at Breeze');
    expect(stop.body).toMatchObject({ order_type: 'stoploss', stoploss: '2400.00', price: '2388.00', action: 'sell' });
    await eventually(async () => ordersAtBreeze(body.id).includes(`${body.id}T1`), 30_000, 'the target at Breeze');
    emulator.setQuote(relind, { ltpPaise: 2380_00 }); // through the trigger and past the limit
    const closed = await waitForTrade(stack, trader, body.id, hasStatus('CLOSED'));
    expect(closed.exitReason).toBe('STOP_LOSS');
    expect(closed.exitPrice).toBe(2380);
    expect(ordersAtBreeze(body.id)).toEqual([`${body.id}E1`, `${body.id}S1`, `${body.id}T1`]);
    expect(emulator.sent('PUT', 'order').some((r) => (r.body as { order_type?: string }).order_type === 'limit')).toBe(true);
    expect(emulator.sent('DELETE', 'order').length).toBeGreaterThan(0);
  });

  it('settles a timeout after Breeze placed the order by finding its tag, never sending it twice', async () => {
    emulator.setQuote(relind, { ltpPaise: 2450_00 });
    emulator.injectFault({ kind: 'timeout', method: 'POST', endpoint: 'order' });
    const { body } = await enter(stack, trader, market('RELIANCE', { quantity: 2 }));
    const open = await waitForTrade(stack, trader, body.id, hasStatus('OPEN'), 90_000);
    expect(open.status).toBe('OPEN');
    expect(ordersAtBreeze(body.id)).toEqual([`${body.id}E1`]);
    await sealAudit(stack.db.sql);
    const events = await stack.db.sql<{ event_type: string; payload: { adopted?: boolean } }[]>`
      select event_type, payload from audit_events where trade_id = ${body.id} and event_type in ('ORDER_UNKNOWN', 'ORDER_PLACED') order by seq`;
    expect(events.map((e) => e.event_type)).toEqual(['ORDER_UNKNOWN', 'ORDER_PLACED']);
    expect(events[1]!.payload.adopted).toBe(true);
  }, 120_000);
});

describe('trading through Breeze with workers that crash', () => {
  let stack: TestStack;
  let trader: string;
  beforeAll(async () => {
    stack = await breezeStack({ noWorker: true, settings: { TRADE_ACK_WAIT_MS: '1000' } });
    trader = (await stack.userWithRole('trader')).accessToken;
  });
  afterAll(async () => stack?.stop());

  it('finishes a trade whose worker died right after Breeze accepted the entry', async () => {
    const doomed = spawnWorker(stack, { ...limits, FAILPOINTS: 'after-broker-accept' });
    const { body } = await enter(stack, trader, market('RELIANCE', { quantity: 3 }));
    expect(await doomed.exited).toBe('SIGKILL');
    const rescuer = spawnWorker(stack, limits);
    try {
      await waitForTrade(stack, trader, body.id, hasStatus('OPEN'), 120_000);
      expect(ordersAtBreeze(body.id)).toEqual([`${body.id}E1`]);
      expect((await verifyChain(stack.db.sql)).ok).toBe(true);
    } finally {
      await rescuer.stop();
    }
  }, 240_000);

  it('closes a trade whose worker died during the exit, each leg sent once', async () => {
    const doomed = spawnWorker(stack, { ...limits, FAILPOINTS: 'during-exit' });
    const { body } = await enter(stack, trader, market('RELIANCE', { quantity: 3 }));
    await waitForTrade(stack, trader, body.id, hasStatus('OPEN'), 60_000);
    await stack.request(`/trades/${body.id}/exit`, { method: 'POST', token: trader });
    expect(await doomed.exited).toBe('SIGKILL');
    const rescuer = spawnWorker(stack, limits);
    try {
      await waitForTrade(stack, trader, body.id, hasStatus('CLOSED'), 120_000);
      expect(ordersAtBreeze(body.id)).toEqual([`${body.id}E1`, `${body.id}X1`]);
    } finally {
      await rescuer.stop();
    }
  }, 240_000);
});
