/**
 * Invariant 2 under crashes: the worker process is killed (SIGKILL, from a failpoint) at each step
 * of a trade, and a new worker process finishes it. The exchange (paper, or the Breeze emulator) must have received each leg
 * exactly once, and positions, reservations and the audit trail must agree.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyChain } from '../../src/audit/verify.ts';
import { startStack, type TestStack } from '../support/stack.ts';
import { enter, hasStatus, market, waitForTrade } from '../support/trading.ts';
import { spawnWorker, type WorkerProcess } from '../support/worker-process.ts';
import { sealAudit } from '../../src/audit/seal.ts';

let stack: TestStack;
let trader: string;

beforeAll(async () => {
  stack = await startStack({ noWorker: true, settings: { TRADE_ACK_WAIT_MS: '1000', RISK_MAX_OPEN_POSITIONS: '10' } });
  trader = (await stack.userWithRole('trader')).accessToken;
  await stack.market.setQuote({ symbol: 'HDFCBANK', exchange: 'NSE', product: 'CASH' }, 1600_00);
});
afterAll(async () => stack?.stop());

async function legsAtTheExchange(tradeId: string) {
  return (await stack.market.orders(tradeId)).map((o) => o.tag);
}

async function expectConsistent(tradeId: string, closed: boolean) {
  const [trade] = await stack.db.sql`select status, filled_quantity, entry_price_paise from trades where id = ${tradeId}`;
  expect(trade!.status).toBe(closed ? 'CLOSED' : 'OPEN');
  expect(trade!.filled_quantity).toBe(10);
  const [reservation] = await stack.db.sql`select status from reservations where trade_id = ${tradeId}`;
  expect(reservation!.status).toBe('CONVERTED');
  await sealAudit(stack.db.sql);
  const events = await stack.db.sql<{ event_type: string }[]>`select event_type from audit_events where trade_id = ${tradeId} order by seq`;
  const count = (t: string) => events.filter((e) => e.event_type === t).length;
  expect(count('TRADE_REQUESTED')).toBe(1);
  expect(count('RISK_CHECK_PASSED')).toBe(1);
  expect(count('TRADE_ENTERED')).toBe(1);
  expect(count('TRADE_EXITED')).toBe(closed ? 1 : 0);
  const [fills] = await stack.db.sql`select count(*)::int as n, coalesce(sum(quantity), 0)::int as q from fills where trade_id = ${tradeId}`;
  expect(fills!.n).toBe(closed ? 2 : 1);
  expect(fills!.q).toBe(closed ? 20 : 10);
  expect((await verifyChain(stack.db.sql)).ok).toBe(true);
}

/**
 * The doomed worker's death at its failpoint. One that never gets there (the trade took another
 * way) is stopped after `withinMs`, and the test fails naming the trade's state and the worker's
 * output, instead of waiting out the test's timeout with nothing to show.
 */
async function deathOf(doomed: WorkerProcess, tradeId: string | undefined, withinMs = 120_000): Promise<string> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'alive'>((resolve) => (timer = setTimeout(() => resolve('alive'), withinMs)));
  const death = await Promise.race([doomed.exited, late]);
  clearTimeout(timer);
  if (death === 'SIGKILL') return death;
  const trade = tradeId ? await (await stack.request(`/trades/${tradeId}`, { token: trader })).text() : undefined;
  console.log(`worker not killed at its failpoint (${death}); trade ${tradeId}: ${trade}\n${doomed.output()}`);
  await doomed.stop();
  return death;
}

describe.each(['after-reservation', 'after-broker-accept', 'before-fill-recorded'])('a worker killed %s', (failpoint) => {
  it('leaves a trade that a new worker finishes, with the entry sent exactly once', async () => {
    const doomed = spawnWorker(stack, { FAILPOINTS: failpoint });
    try {
      const { status, body } = await enter(stack, trader, market('HDFCBANK'));
      expect(body.id, `the entry was answered ${status} ${JSON.stringify(body)}`).toBeTruthy();
      expect(await deathOf(doomed, body.id)).toBe('SIGKILL');
      const rescuer = spawnWorker(stack);
      try {
        await waitForTrade(stack, trader, body.id, hasStatus('OPEN'), 120_000);
        expect(await legsAtTheExchange(body.id)).toEqual([`${body.id}E1`]);
        await expectConsistent(body.id, false);
      } finally {
        await rescuer.stop();
      }
    } finally {
      // a worker left polling would take the next test's trade
      await doomed.stop();
    }
  }, 240_000);
});

describe('a worker killed during the exit', () => {
  it('leaves a trade that a new worker closes, each leg sent exactly once', async () => {
    const doomed = spawnWorker(stack, { FAILPOINTS: 'during-exit' });
    try {
      const { status, body } = await enter(stack, trader, market('HDFCBANK'));
      expect(body.id, `the entry was answered ${status} ${JSON.stringify(body)}`).toBeTruthy();
      await waitForTrade(stack, trader, body.id, hasStatus('OPEN'), 60_000);
      await stack.request(`/trades/${body.id}/exit`, { method: 'POST', token: trader });
      expect(await deathOf(doomed, body.id)).toBe('SIGKILL');
      const rescuer = spawnWorker(stack);
      try {
        await waitForTrade(stack, trader, body.id, hasStatus('CLOSED'), 120_000);
        expect(await legsAtTheExchange(body.id)).toEqual([`${body.id}E1`, `${body.id}X1`]);
        await expectConsistent(body.id, true);
      } finally {
        await rescuer.stop();
      }
    } finally {
      await doomed.stop();
    }
  }, 240_000);
});
