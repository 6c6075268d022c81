/**
 * The daily loss limit acting while positions are open: the guard activity on its own (stale and
 * missing prices), and the whole system through the API on either broker (the quote that
 * crosses the limit moves the market: the paper exchange's quote, or the emulator's over Socket.IO),
 * and a position no broker can price (the paper exchange with one instrument unquoted, on both projects).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ActivityDeps } from '../../src/activities/context.ts';
import { dailyLossActivities } from '../../src/activities/daily-loss.ts';
import { createAuditLog } from '../../src/audit/append.ts';
import { BrokerUnavailableError } from '../../src/broker/errors.ts';
import type { Config } from '../../src/config.ts';
import { PaperExchange } from '../../src/broker/paper/exchange.ts';
import type { Broker } from '../../src/broker/types.ts';
import { ensureAccount } from '../../src/db/accounts.ts';
import { insertTrade } from '../../src/db/trades.ts';
import { instrumentKey } from '../../src/domain/trade.ts';
import { ensureDailyLossGuard } from '../../src/temporal/daily-loss-guard.ts';
import { circuitBreakerWorkflowId, dailyLossGuardWorkflowId } from '../../src/workflows/messages.ts';
import { testConfig } from '../support/config.ts';
import { closeOrReopen, readWhileFlipping } from '../support/closing-trade.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { capturingLogger, silentLogger } from '../support/logger.ts';
import { testPriceFeed } from '../support/price-feed.ts';
import { recordHistory } from '../support/history-json.ts';
import { startStack, type TestStack, workflowBundleCode } from '../support/stack.ts';
import { enter, eventually, hasStatus, market, waitForTrade } from '../support/trading.ts';
import { sealAudit } from '../../src/audit/seal.ts';

const infy = { symbol: 'INFY', exchange: 'NSE', product: 'CASH' } as const;
const dark = { symbol: 'DARK', exchange: 'NSE', product: 'CASH' } as const;

describe('the guard activity', () => {
  it('reads a stale price as the last price known, not as zero loss, when no fresh quote can be had', async () => {
    const db = await createTestDatabase();
    try {
      const config = testConfig({ DATABASE_URL: db.url, RISK_DAILY_LOSS_LIMIT: '50000' });
      const accountId = config.account.ACCOUNT_ID;
      await ensureAccount(db.sql, accountId, 1_00_00_000_00);
      await insertTrade(db.sql, { id: 'tstaleaaaaaaaaaa', accountId, workflowId: 'trade-stale', runId: 'direct', requestFingerprint: 'f'.repeat(64), source: 'api', requestedBy: 'user:tester', request: { instrument: infy, side: 'BUY', quantity: 100, orderType: 'MARKET', intraday: true } });
      await db.sql`update trades set status = 'OPEN', filled_quantity = 100, entry_price_paise = ${2000_00}, opened_at = now() where id = 'tstaleaaaaaaaaaa'`;
      const prices = testPriceFeed();
      const market = { quotes: 0, pricePaise: undefined as number | undefined };
      const quote = () => {
        market.quotes++;
        return market.pricePaise ? Promise.resolve({ lastPricePaise: market.pricePaise, at: new Date().toISOString() }) : Promise.reject(new Error('broker unreachable'));
      };
      const deps = guardDeps(db, config, prices, { quote });
      const { guardDailyLoss } = dailyLossActivities(deps);

      // The feed's last word was ₹1,200 (an ₹80,000 loss on 100 bought at ₹2,000), and then it went quiet.
      prices.push(infy, 1200_00);
      prices.silence(infy);
      const crossed = await guardDailyLoss({ accountId, windowMs: 2000 });
      expect(crossed.outcome).toBe('CROSSED');
      expect(crossed.reading).toMatchObject({ lossPaise: 80_000_00, limitPaise: 50_000_00, unpriced: [instrumentKey(infy)] });
      expect(market.quotes).toBe(1); // it asked the broker first

      // A fresh quote wins over the stale tick: at ₹1,900 the loss is ₹10,000, under the limit
      // (on another worker: its own quote ration has room).
      const { guardDailyLoss: again } = dailyLossActivities({ ...deps });
      market.pricePaise = 1900_00;
      const under = await again({ accountId, windowMs: 1500 });
      expect(under.outcome).toBe('WINDOW_ENDED');
      expect(under.reading).toMatchObject({ lossPaise: 10_000_00, unpriced: [] });

      // A flat book ends the watch.
      await db.sql`update trades set status = 'CLOSED', closed_at = now() where id = 'tstaleaaaaaaaaaa'`;
      expect((await again({ accountId, windowMs: 5000 })).outcome).toBe('FLAT');
      await prices.close();
    } finally {
      await db.drop();
    }
  });

  it('reads a position that never had a price as unknown: it asks for a quote, alerts, and never trips on it', async () => {
    const db = await createTestDatabase();
    try {
      const config = testConfig({ DATABASE_URL: db.url, RISK_DAILY_LOSS_LIMIT: '50000' });
      const accountId = config.account.ACCOUNT_ID;
      await ensureAccount(db.sql, accountId, 1_00_00_000_00);
      await openRow(db.sql, accountId, 'tpricedaaaaaaaaa', infy, 100, 2000_00);
      await openRow(db.sql, accountId, 'tdarkaaaaaaaaaaa', dark, 10, 500_00);
      const prices = testPriceFeed();
      const asked: string[] = [];
      const quote = (instrument: { symbol: string }) => {
        asked.push(instrument.symbol);
        return Promise.reject(new Error('no quote for this instrument'));
      };
      const { log, lines } = capturingLogger();
      const deps = guardDeps(db, config, prices, { quote }, log);

      // INFY's last word was ₹1,200 (₹80,000 down), but DARK has never had a price: its loss, and so the day's, is unknown
      prices.push(infy, 1200_00);
      const result = await dailyLossActivities(deps).guardDailyLoss({ accountId, windowMs: 1500 });
      expect(result.outcome).toBe('WINDOW_ENDED');
      expect(result.reading).toMatchObject({ crossed: false, unknown: [instrumentKey(dark)] });
      expect(asked).toContain('DARK');
      expect(lines().filter((l) => l.alert === 'daily_loss_price_unknown')).toEqual([expect.objectContaining({ accountId, instrument: instrumentKey(dark) })]);
      await prices.close();
    } finally {
      await db.drop();
    }
  });

  it('never trips on a loss counted twice while a losing position closes', async () => {
    const db = await createTestDatabase();
    try {
      // ₹150 down on INFY against a ₹250 limit: open or closed, the day has lost ₹150, never ₹300.
      const config = testConfig({ DATABASE_URL: db.url, RISK_DAILY_LOSS_LIMIT: '250' });
      const accountId = config.account.ACCOUNT_ID;
      await ensureAccount(db.sql, accountId, 1_00_00_000_00);
      await openRow(db.sql, accountId, 'tclosingaaaaaaaa', infy, 10, 2000_00);
      const prices = testPriceFeed();
      prices.push(infy, 1985_00);
      const { guardDailyLoss } = dailyLossActivities(guardDeps(db, config, prices, {}));
      // A window of nothing: each call reads the book once and values it.
      const outcomes = await readWhileFlipping(closeOrReopen(db.admin, { id: 'tclosingaaaaaaaa', quantity: 10, realizedPaise: -15000 }), async () => (await guardDailyLoss({ accountId, windowMs: 0 })).outcome);
      expect(outcomes).not.toContain('CROSSED');
      expect(outcomes).toContain('WINDOW_ENDED'); // it did see the position open
      await prices.close();
    } finally {
      await db.drop();
    }
  });
});

/** What the guard's activities use: the test's database, config and price feed, and a paper broker with only `broker`'s methods. */
function guardDeps(db: TestDatabase, config: Config, prices: ActivityDeps['prices'], broker: Partial<Broker>, log: ActivityDeps['log'] = silentLogger): ActivityDeps {
  return { config, sql: db.sql, broker: { name: 'paper', ...broker } as unknown as Broker, audit: createAuditLog(), log, prices, temporal: undefined as never, breaker: undefined as never, trades: undefined as never };
}

/** An open trade written straight to the table (no workflow, no price ever seen). */
async function openRow(sql: TestStack['db']['sql'], accountId: string, id: string, instrument: typeof infy | typeof dark, quantity: number, entryPricePaise: number) {
  await insertTrade(sql, { id, accountId, workflowId: `trade-${id}`, runId: 'direct', requestFingerprint: 'f'.repeat(64), source: 'api', requestedBy: 'user:tester', request: { instrument, side: 'BUY', quantity, orderType: 'MARKET', intraday: true } });
  await sql`update trades set status = 'OPEN', filled_quantity = ${quantity}, entry_price_paise = ${entryPricePaise}, opened_at = now() where id = ${id}`;
}

describe('a position the broker cannot price', () => {
  let stack: TestStack;
  beforeAll(async () => {
    // the paper exchange, except that DARK has no quote at all (on either project: the broker is this one)
    stack = await startStack({
      settings: { RISK_DAILY_LOSS_LIMIT: '50000', RISK_MAX_TRADE_VALUE: '500000', RISK_MAX_CONCENTRATION: '1', ACCOUNT_CAPITAL: '1000000' },
      broker: (config, db) => {
        const paper = new PaperExchange({ sql: db.sql, marketHours: config.market.MARKET_HOURS, slippageBps: 0, randomWalk: false, seed: 1 });
        const quote = paper.quote.bind(paper);
        paper.quote = (instrument) => (instrument.symbol === dark.symbol ? Promise.reject(new BrokerUnavailableError('no quote for DARK')) : quote(instrument));
        return paper;
      },
    });
  });
  afterAll(async () => stack?.stop());

  it('refuses new entries with OPEN_LOSS_UNKNOWN while the open loss cannot be known, and flattens nothing', async () => {
    const accountId = stack.config.account.ACCOUNT_ID;
    const trader = (await stack.userWithRole('trader')).accessToken;
    await openRow(stack.db.sql, accountId, 'tdarkbbbbbbbbbbb', dark, 10, 500_00);
    await ensureDailyLossGuard(stack.client, stack.config, accountId);

    await stack.paper.setQuote(infy, 2000_00);
    const refused = await enter(stack, trader, market('INFY', { quantity: 1 }));
    expect(refused.status).toBe(422);
    const violations = (refused.body as unknown as { violations: { rule: string; message: string }[] }).violations;
    expect(violations.map((v) => v.rule)).toEqual(['OPEN_LOSS_UNKNOWN']);
    expect(violations[0]!.message).toContain(instrumentKey(dark));

    // the guard keeps watching: no REDUCING, no flatten, the position still open
    await new Promise((r) => setTimeout(r, 2500));
    expect((await status(stack, trader)).tradingState).toBe('ACTIVE');
    const [row] = await stack.db.sql`select status from trades where id = 'tdarkbbbbbbbbbbb'`;
    expect(row!.status).toBe('OPEN');
    await sealAudit(stack.db.sql);
    expect(await stack.db.sql`select 1 from audit_events where event_type = 'TRADING_REDUCED'`).toHaveLength(0);

    // once the book is flat the guard ends
    await stack.db.sql`update trades set status = 'CLOSED', closed_at = now() where id = 'tdarkbbbbbbbbbbb'`;
    await stack.client.workflow.getHandle(dailyLossGuardWorkflowId(accountId)).result();
    await recordHistory(stack.client, dailyLossGuardWorkflowId(accountId), 'dailyLossGuardWorkflow', 'open-loss-unknown-not-tripped', workflowBundleCode());
  });
});

async function openPosition(stack: TestStack, trader: string, quantity: number) {
  await stack.market.setQuote(infy, 2000_00);
  const { body: trade } = await enter(stack, trader, market('INFY', { quantity }));
  expect(trade.status).toBe('OPEN');
  return trade;
}

/** Move the market (paper: POST /paper/quotes' pin; Breeze: the emulator's quote, streamed over Socket.IO). */
const setQuote = (stack: TestStack, rupees: number) => stack.market.setQuote(infy, rupees * 100);

const status = async (stack: TestStack, token: string) => (await (await stack.request('/risk/status', { token })).json()) as { tradingState: string };

describe.each([
  { action: 'flatten', expected: 'REDUCING and flat' },
  { action: 'reduce', expected: 'REDUCING, positions kept' },
])('an open loss past the daily limit with DAILY_LOSS_ACTION=$action', ({ action }) => {
  let stack: TestStack;
  let trader: string;
  beforeAll(async () => {
    stack = await startStack({ settings: { RISK_DAILY_LOSS_LIMIT: '50000', RISK_MAX_TRADE_VALUE: '500000', RISK_MAX_CONCENTRATION: '1', ACCOUNT_CAPITAL: '1000000', DAILY_LOSS_ACTION: action } });
    trader = (await stack.userWithRole('trader')).accessToken;
  });
  afterAll(async () => stack?.stop());

  it(action === 'flatten' ? 'leaves the account REDUCING and flat within 10 s of the quote that crossed it' : 'leaves the account REDUCING with the position still open, watched again once resumed', async () => {
    const trade = await openPosition(stack, trader, 100);
    // ₹1,700: a ₹30,000 open loss, under the limit: nothing happens.
    await setQuote(stack, 1700);
    await new Promise((r) => setTimeout(r, 1500));
    expect((await status(stack, trader)).tradingState).toBe('ACTIVE');

    // ₹1,200: ₹80,000 against the ₹50,000 limit.
    await setQuote(stack, 1200);
    // REDUCING; with flatten, the closing loss then halts it (the breaker's trip on a losing close).
    await eventually(async () => ['REDUCING', 'HALTED'].includes((await status(stack, trader)).tradingState), 10_000, 'trading reduced');
    await sealAudit(stack.db.sql);
    const [reduced] = await stack.db.sql`select payload from audit_events where event_type = 'TRADING_REDUCED'`;
    expect(String(reduced!.payload.reason)).toMatch(/^DAILY_LOSS_LIMIT/);

    if (action === 'flatten') {
      const closed = await waitForTrade(stack, trader, trade.id, hasStatus('CLOSED'), 10_000);
      expect(closed.exitReason).toBe('FLATTEN');
      const accountId = stack.config.account.ACCOUNT_ID;
      await stack.client.workflow.getHandle(dailyLossGuardWorkflowId(accountId)).result(); // it tripped and ended
      await recordHistory(stack.client, dailyLossGuardWorkflowId(accountId), 'dailyLossGuardWorkflow', 'open-loss-trips-flatten', workflowBundleCode());
      await eventually(async () => (await status(stack, trader)).tradingState === 'HALTED', 10_000, 'halted by the losing close');
      await recordHistory(stack.client, circuitBreakerWorkflowId(accountId), 'circuitBreakerWorkflow', 'open-loss-reduce-flatten', workflowBundleCode());
    } else {
      await new Promise((r) => setTimeout(r, 2000));
      const [row] = await stack.db.sql`select status from trades where id = ${trade.id}`;
      expect(row!.status).toBe('OPEN');
      expect((await status(stack, trader)).tradingState).toBe('REDUCING');
    }
    const next = await enter(stack, trader, market('INFY', { quantity: 1 }));
    expect(next.status).toBe(422);
    const rules = (next.body as unknown as { violations: { rule: string }[] }).violations.map((v) => v.rule);
    expect(rules).toEqual(expect.arrayContaining(['TRADING_HALTED', 'DAILY_LOSS_LIMIT']));

    if (action === 'reduce') {
      // The guard ended when it tripped; resuming must watch the kept position again at once.
      const admin = (await stack.userWithRole('admin')).accessToken;
      await setQuote(stack, 1700); // back under the limit
      expect((await stack.request('/risk/resume', { method: 'POST', token: admin })).status).toBe(200);
      expect((await status(stack, trader)).tradingState).toBe('ACTIVE');
      await setQuote(stack, 1200);
      await eventually(async () => (await status(stack, trader)).tradingState === 'REDUCING', 10_000, 'reduced again by the restarted guard');
    }
  });
});
