/**
 * The trade activities called directly, outside Temporal, on the stack's broker (the paper
 * exchange or Breeze): what a workflow relies on them for when steps race or an earlier attempt
 * surfaces late.
 */
import { MockActivityEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { ActivityDeps } from '../../src/activities/context.ts';
import { dailyLossActivities } from '../../src/activities/daily-loss.ts';
import { type LegInput, orderActivities, toLegResult } from '../../src/activities/orders.ts';
import { type ReserveResult, riskActivities } from '../../src/activities/risk.ts';
import { sealAudit } from '../../src/audit/seal.ts';
import { tradeRecordActivities } from '../../src/activities/trade-records.ts';
import { ensureAccount, lockAccount, lockAccountOfTrade } from '../../src/db/accounts.ts';
import type { TxSql } from '../../src/db/pool.ts';
import { insertOrder, ordersOfTrade, updateOrder } from '../../src/db/orders.ts';
import { lastPrices } from '../../src/db/market-prices.ts';
import type { LatestPrice, PriceFeed } from '../../src/broker/price-feed.ts';
import { type Instrument, instrumentKey } from '../../src/domain/trade.ts';
import { silentLogger } from '../support/logger.ts';
import { ownAccountId, startStack, type TestStack } from '../support/stack.ts';

let stack: TestStack;
let deps: ActivityDeps;
const instrument = { symbol: 'ITC', exchange: 'NSE' as const, product: 'CASH' as const };

beforeAll(async () => {
  stack = await startStack({ noWorker: true, settings: { ACCOUNT_ID: ownAccountId() } });
  await stack.market.setQuote(instrument, 450_00);
  deps = { config: stack.config, sql: stack.db.sql, broker: stack.broker, prices: stack.prices, audit: stack.audit, log: silentLogger, temporal: undefined as never, breaker: undefined as never, trades: undefined as never };
});
afterAll(async () => stack?.stop());

/** A trade whose entry risk has been reserved (PENDING); of the stack's account unless said. */
async function reserve(tradeId: string, of: { accountId?: string; quantity?: number; breaker?: ActivityDeps['breaker'] } = {}) {
  const reserved = await riskActivities(of.breaker ? { ...deps, breaker: of.breaker } : deps).reserveRisk({
    tradeId,
    accountId: of.accountId ?? stack.config.account.ACCOUNT_ID,
    request: { instrument, side: 'BUY', quantity: of.quantity ?? 10, orderType: 'MARKET', intraday: true },
    requestFingerprint: 'f'.repeat(64),
    requestedBy: { type: 'user', id: 'tester' },
    source: 'api',
  });
  expect(reserved.outcome).toBe('ACCEPTED');
}

it('makes a change to the book wait while a risk check holds the account', async () => {
  // The risk check reads the book in several statements under the account's lock: a change made
  // between two of them (a fill converting a reservation) would count in neither (invariant 1).
  await reserve('tlockingaaaaaaaa');

  let release!: () => void;
  let locked!: () => void;
  const accountHeld = new Promise<void>((r) => (locked = r));
  const check = stack.db.sql.begin(async (tx) => {
    await lockAccount(tx, stack.config.account.ACCOUNT_ID);
    locked();
    await new Promise<void>((r) => (release = r));
  });
  await accountHeld;
  let changed = false;
  const change = tradeRecordActivities(deps).recordEntryClosed('tlockingaaaaaaaa', undefined, 'CANCELLED', 'cancelled in the test').then((status) => {
    changed = true;
    return status;
  });
  await new Promise((r) => setTimeout(r, 300));
  expect(changed).toBe(false);
  const [reservation] = await stack.db.sql<{ status: string }[]>`select status from reservations where trade_id = 'tlockingaaaaaaaa'`;
  expect(reservation!.status).toBe('ACTIVE');

  release();
  await check;
  expect(await change).toBe('CANCELLED');
});

/** Who holds the account: the trade a leg is recorded for, what it needs first, and the lock. */
type Holder = [name: string, tradeId: string, before: () => Promise<void>, lock: (tx: TxSql) => Promise<unknown>];
const holders: Holder[] = [
  ['a risk check', 'tleglockcheckaaa', async () => {}, (tx) => lockAccount(tx, stack.config.account.ACCOUNT_ID)],
  ["another trade's fill", 'tleglockfillaaaa', () => reserve('tleglockfilledaa'), (tx) => lockAccountOfTrade(tx, 'tleglockfilledaa')],
];

it.each(holders)("records a trade's order leg while %s holds the account", async (_name, tradeId, before, lock) => {
  // The lock keeps the book still for the check or the fill, not every row that names the account:
  // recording a leg before it is sent, and the broker's answer, change nothing the check reads.
  // Locked `for update`, the order row's foreign-key check waited for the holder to commit.
  await reserve(tradeId);
  await before();
  let release!: () => void;
  let locked!: () => void;
  const accountHeld = new Promise<void>((r) => (locked = r));
  const holding = stack.db.sql.begin(async (tx) => {
    await lock(tx);
    locked();
    await new Promise<void>((r) => (release = r));
  });
  await accountHeld;
  try {
    const leg = { tradeId, accountId: stack.config.account.ACCOUNT_ID, tag: `${tradeId}E1`, leg: 'ENTRY' as const, side: 'BUY' as const, quantity: 10, orderType: 'MARKET' as const };
    // bounded, so that waiting for the holder fails here instead of waiting for the release below
    await stack.db.sql.begin(async (tx) => {
      await tx`set local lock_timeout = '2s'`;
      await insertOrder(tx, leg);
      await updateOrder(tx, leg.tag, { status: 'OPEN', brokerOrderId: `B-${tradeId}` });
    });
    expect((await ordersOfTrade(stack.db.sql, tradeId)).map((o) => [o.tag, o.status])).toEqual([[leg.tag, 'OPEN']]);
  } finally {
    release();
    await holding;
  }
});

it('answers a retried reservation with the decision it took, reserving once, and another run of the same trade with DUPLICATE', async () => {
  // The reservation is not looked up before it is made: a retry, or a second run of the trade,
  // finds the trade at its insert, under the account's lock.
  const tradeId = 'tretriedreserve1';
  const input = { tradeId, accountId: stack.config.account.ACCOUNT_ID, request: { instrument, side: 'BUY' as const, quantity: 3, orderType: 'MARKET' as const, intraday: true }, requestFingerprint: 'f'.repeat(64), requestedBy: { type: 'user' as const, id: 'tester' }, source: 'api' as const };
  const risk = riskActivities(deps);
  const asRun = (runId: string): Promise<ReserveResult> => new MockActivityEnvironment({ workflowExecution: { workflowId: `trade-${tradeId}`, runId } }).run(risk.reserveRisk, input);
  expect((await asRun('run-1')).outcome).toBe('ACCEPTED');
  expect(await asRun('run-1')).toMatchObject({ outcome: 'ACCEPTED', status: 'PENDING' });
  expect((await asRun('run-2')).outcome).toBe('DUPLICATE');
  const [reservations] = await stack.db.sql<{ n: number }[]>`select count(*)::int as n from reservations where trade_id = ${tradeId}`;
  expect(reservations!.n).toBe(1);
  await sealAudit(stack.db.sql);
  const records = await stack.db.sql<{ type: string }[]>`select event_type as type from audit_events where trade_id = ${tradeId} order by seq`;
  expect(records.map((r) => r.type)).toEqual(['TRADE_REQUESTED', 'RISK_CHECK_PASSED']);
});

it('adopts an earlier exit attempt that surfaced at the broker after it was settled as never sent', async () => {
  await reserve('tsurfacedaaaaaaa');
  const exit = (attempt: number) => ({ tradeId: 'tsurfacedaaaaaaa', accountId: stack.config.account.ACCOUNT_ID, tag: `tsurfacedaaaaaaaX${attempt}`, leg: 'EXIT' as const, instrument, side: 'SELL' as const, quantity: 10, orderType: 'MARKET' as const });
  // Attempt 1 was not found over the settle window (NOT_SENT), yet the broker did get it, late.
  await insertOrder(stack.db.sql, exit(1));
  await updateOrder(stack.db.sql, exit(1).tag, { status: 'NOT_SENT' });
  const late = await stack.broker.placeOrder(exit(1));

  const result = await orderActivities(deps).placeOrder(exit(2));
  expect(result).toMatchObject({ tag: exit(1).tag, brokerOrderId: late.brokerOrderId });
  expect(await stack.market.orders('tsurfaced')).toHaveLength(1);
  const legs = new Map((await ordersOfTrade(stack.db.sql, 'tsurfacedaaaaaaa')).map((o) => [o.tag, o.status]));
  expect(legs.get(exit(2).tag)).toBe('NOT_SENT');
  expect(legs.get(exit(1).tag)).not.toBe('NOT_SENT');
});

it('sends no entry when too little of its workflow task is left to hear back from the broker, and sends it once on a later attempt', async () => {
  // An entry placed in the trade's workflow task (src/workflows/trade/legs.ts placeEntryInTask):
  // once that task may pass to another worker, which looks the tag up and may send it, this
  // attempt must have heard back from the broker.
  await reserve('tintaskdeadline1');
  const leg: LegInput = { tradeId: 'tintaskdeadline1', accountId: stack.config.account.ACCOUNT_ID, tag: 'tintaskdeadline1E1', leg: 'ENTRY', instrument, side: 'BUY', quantity: 10, orderType: 'MARKET' };
  const { BREEZE_TIMEOUT_MS, BROKER_RATE_WAIT_MS } = stack.config.broker;
  await expect(orderActivities(deps).placeOrder({ ...leg, taskDeadline: Date.now() + BREEZE_TIMEOUT_MS + BROKER_RATE_WAIT_MS })).rejects.toMatchObject({ code: 'broker-unavailable' });
  expect(await stack.market.orders(leg.tradeId)).toHaveLength(0);
  // recorded, not sent: the next attempt looks it up and sends it
  expect((await ordersOfTrade(stack.db.sql, leg.tradeId)).map((o) => [o.tag, o.status])).toEqual([[leg.tag, 'NEW']]);
  const placed = await orderActivities(deps).placeOrder({ ...leg, taskDeadline: Date.now() + 60_000 });
  expect(placed.brokerOrderId).toBeTruthy();
  expect((await stack.market.orders(leg.tradeId)).map((o) => o.tag)).toEqual([leg.tag]);
});

it('asks the daily-loss guard to watch when an entry finds the book flat, not again for entries into a book it already watches', async () => {
  const accountId = `guardasks${Date.now()}`;
  await ensureAccount(stack.db.sql, accountId, 1e12);
  const asked: string[] = [];
  const breaker = { guardDailyLoss: async (id: string) => void asked.push(id) } as unknown as ActivityDeps['breaker'];
  const risk = riskActivities({ ...deps, breaker });
  const entry = (tradeId: string) =>
    risk.reserveRisk({ tradeId, accountId, request: { instrument, side: 'BUY', quantity: 1, orderType: 'MARKET', intraday: true }, requestFingerprint: 'f'.repeat(64), requestedBy: { type: 'user', id: 'tester' }, source: 'api' });
  expect((await entry('tguardaskaaaaaa1')).outcome).toBe('ACCEPTED');
  expect(asked).toEqual([accountId]);
  // the first entry's reservation is in the book: the guard, which ends only on a flat book, watches it
  expect((await entry('tguardaskaaaaaa2')).outcome).toBe('ACCEPTED');
  expect(asked).toEqual([accountId]);
});

it("values an entry's open positions from the price feed when fresh: the broker is quoted for the order and for stale prices only", async () => {
  const accountId = `feedprices${Date.now()}`;
  await ensureAccount(stack.db.sql, accountId, 1e12);
  const sbin = { symbol: 'SBIN', exchange: 'NSE' as const, product: 'CASH' as const };
  await stack.market.setQuote(sbin, 800_00);
  const quoted: string[] = [];
  // the stack's broker, its quotes counted
  const broker = new Proxy(stack.broker, {
    get(target, prop) {
      if (prop === 'quote') return (i: Instrument) => (quoted.push(i.symbol), target.quote(i));
      const value: unknown = Reflect.get(target, prop, target);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
  let sbinFeed: LatestPrice | undefined;
  const prices: PriceFeed = { watch: (i, onTick) => stack.prices.watch(i, onTick), latest: (i) => (i.symbol === 'SBIN' ? sbinFeed : stack.prices.latest(i)), close: async () => {} };
  const guarded = { ...deps, broker, prices, breaker: { guardDailyLoss: async () => {} } as unknown as ActivityDeps['breaker'] };
  const enter = (tradeId: string, what: Instrument) =>
    riskActivities(guarded).reserveRisk({ tradeId, accountId, request: { instrument: what, side: 'BUY', quantity: 1, orderType: 'MARKET', intraday: true }, requestFingerprint: 'f'.repeat(64), requestedBy: { type: 'user', id: 'tester' }, source: 'api' });

  // an open position in SBIN
  expect((await enter('tfeedpricesaaaa1', sbin)).outcome).toBe('ACCEPTED');
  let leg = await orderActivities(guarded).placeOrder({ tradeId: 'tfeedpricesaaaa1', accountId, tag: 'tfeedpricesaaaa1E1', leg: 'ENTRY', instrument: sbin, side: 'BUY', quantity: 1, orderType: 'MARKET' });
  // Breeze answers a MARKET order OPEN and fills it a moment later
  for (let i = 0; leg.status !== 'FILLED' && i < 100; i++) {
    await new Promise((r) => setTimeout(r, 50));
    leg = toLegResult(leg.tag, await stack.broker.getOrder(accountId, leg.brokerOrderId!, sbin));
  }
  expect((await tradeRecordActivities(guarded).recordEntryFill('tfeedpricesaaaa1', leg)).status).toBe('OPEN');

  // SBIN streaming: an entry in ITC quotes ITC alone, and records SBIN's streamed price for the check
  sbinFeed = { instrument: sbin, lastPricePaise: 812_00, at: new Date().toISOString(), stale: false };
  quoted.length = 0;
  expect((await enter('tfeedpricesaaaa2', instrument)).outcome).toBe('ACCEPTED');
  expect(quoted).toEqual(['ITC']);
  expect((await lastPrices(stack.db.sql, [instrumentKey(sbin)])).get(instrumentKey(sbin))?.pricePaise).toBe(812_00);

  // the stream has gone quiet: SBIN is quoted again
  sbinFeed = { ...sbinFeed, stale: true };
  quoted.length = 0;
  expect((await enter('tfeedpricesaaaa3', instrument)).outcome).toBe('ACCEPTED');
  expect(quoted.sort()).toEqual(['ITC', 'SBIN']);
});

it("has the daily-loss guard read an account's book again when it changes, not at its next safety-net read", async () => {
  const accountId = `guardhears${Date.now()}`;
  await ensureAccount(stack.db.sql, accountId, 1e12);
  const breaker = { guardDailyLoss: async () => {} } as unknown as ActivityDeps['breaker'];
  await reserve('tguardhearsaaaa1', { accountId, quantity: 1, breaker });
  // a window shorter than the safety-net reread (30 s): only the change's notice can end it FLAT
  const guarding = dailyLossActivities(deps).guardDailyLoss({ accountId, windowMs: 15_000 });
  await new Promise((r) => setTimeout(r, 500));
  await tradeRecordActivities(deps).recordEntryClosed('tguardhearsaaaa1', undefined, 'CANCELLED', 'cancelled in the test');
  expect((await guarding).outcome).toBe('FLAT');
}, 30_000);
