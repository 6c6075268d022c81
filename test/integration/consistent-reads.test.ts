/**
 * Reads that must see one state of the database while fills land: the day's loss while a losing
 * position closes (the monitoring snapshot behind the daily-loss alert and the console, and GET
 * /risk/status; the guard that flattens on it has the same test in daily-loss.test.ts), the
 * status's funds while an entry fill moves its margin from reserved to used, and today's report
 * while an exit fill closes its trade. Each fill is one transaction; no read may see half of it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readRiskStatus } from '../../src/api/services/risk-views.ts';
import type { Config } from '../../src/config.ts';
import { loadDailyReport } from '../../src/db/daily-report.ts';
import { ensureAccount } from '../../src/db/accounts.ts';
import { recordPrice } from '../../src/db/market-prices.ts';
import { istParts } from '../../src/domain/market-calendar.ts';
import { instrumentKey } from '../../src/domain/trade.ts';
import { readSnapshot } from '../../src/observability/snapshot.ts';
import { testConfig } from '../support/config.ts';
import { closeOrReopen, readWhileFlipping } from '../support/closing-trade.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';

let db: TestDatabase;
let config: Config;
const accountId = 'closing-desk';
const reliance = { symbol: 'RELIANCE', exchange: 'NSE', product: 'CASH' } as const;

beforeAll(async () => {
  db = await createTestDatabase();
  config = testConfig({ DATABASE_URL: db.url });
  await ensureAccount(db.sql, accountId, 100_000_000);
  // Ten shares bought at ₹2,450.00, now at ₹2,435.00: ₹150 down, open or closed.
  await db.sql`
    insert into trades (id, account_id, workflow_id, request_fingerprint, requested_by, symbol, exchange, product, side, quantity, order_type, intraday,
      status, filled_quantity, entry_price_paise, opened_at)
    values ('tclosingdeskaaaa', ${accountId}, 'trade-closing', 'x', 'user:x', 'RELIANCE', 'NSE', 'CASH', 'BUY', 10, 'MARKET', true, 'OPEN', 10, 245000, now())`;
  await recordPrice(db.sql, instrumentKey(reliance), 243500, new Date());
});
afterAll(async () => db?.drop());

const closingTrade = { id: 'tclosingdeskaaaa', quantity: 10, realizedPaise: -15000 };

describe("the day's loss while a losing position closes", () => {
  it('is ₹150 in every monitoring snapshot', async () => {
    const seen = await readWhileFlipping(closeOrReopen(db.admin, closingTrade), async () => (await readSnapshot({ sql: db.sql, config })).accounts.find((a) => a.accountId === accountId)!.dailyLoss.used);
    expect(seen).toEqual(new Set([150]));
  });

  it('is ₹150 in every risk status', async () => {
    const seen = await readWhileFlipping(closeOrReopen(db.admin, closingTrade), async () => (await readRiskStatus({ sql: db.sql, config, temporal: undefined as never }, accountId)).usage.dailyLoss.used);
    expect(seen).toEqual(new Set([150]));
  });
});

describe('the funds of the risk status while an entry fills', () => {
  it('shows the margin of the filling order as reserved or as used, never as both or neither', async () => {
    // The fill converts the order's reservation and blocks its margin in the ledger in one
    // transaction; here, ₹500 of margin, over and over.
    await db.admin`insert into reservations (trade_id, account_id, instrument_key, side, quantity, notional_paise, margin_paise, status)
      values ('tclosingdeskaaaa', ${accountId}, ${instrumentKey(reliance)}, 'BUY', 10, 2450000, 50000, 'ACTIVE')`;
    const [ledger] = await db.admin<{ id: string }[]>`insert into funds_ledger (account_id, kind, margin_paise) values (${accountId}, 'ADJUSTMENT', 0) returning id`;
    const fill = (filled: boolean) =>
      db.admin.begin(async (tx) => {
        await tx`update reservations set status = ${filled ? 'CONVERTED' : 'ACTIVE'} where trade_id = 'tclosingdeskaaaa'`;
        await tx`update funds_ledger set margin_paise = ${filled ? 50000 : 0} where id = ${ledger!.id}`;
      });
    const held = await readWhileFlipping(fill, async () => {
      const { funds } = (await readRiskStatus({ sql: db.sql, config, temporal: undefined as never }, accountId)).usage;
      return (funds.usedMarginPaise ?? 0) + (funds.reservedMarginPaise ?? 0);
    });
    expect(held).toEqual(new Set([50000]));
  });
});

describe("today's report while a trade closes", () => {
  it('shows the exit fill and the closed trade together, or neither', async () => {
    // The exit leg's fill and the trade's close land in one transaction; here, the fill moves into
    // today and out of it again (to a day long past) as the trade closes and reopens.
    await db.admin`insert into orders (tag, trade_id, account_id, leg, side, quantity, order_type, status)
      values ('tclosingdeskaaaaX1', 'tclosingdeskaaaa', ${accountId}, 'EXIT', 'SELL', 10, 'MARKET', 'FILLED')`;
    const [exitFill] = await db.admin<{ id: string }[]>`insert into fills (order_tag, trade_id, account_id, broker_fill_id, quantity, price_paise, filled_at)
      values ('tclosingdeskaaaaX1', 'tclosingdeskaaaa', ${accountId}, 'x1', 10, 243500, '2000-01-03T05:00:00Z') returning id`;
    const exit = (closed: boolean) =>
      db.admin.begin(async (tx) => {
        await closeOrReopen(tx, closingTrade)(closed);
        await tx`update fills set filled_at = ${closed ? new Date() : new Date('2000-01-03T05:00:00Z')} where id = ${exitFill!.id}`;
      });
    const today = istParts(new Date()).date;
    const seen = await readWhileFlipping(exit, async () => {
      const report = await loadDailyReport(db.sql, config, accountId, today);
      return `${report.fills} fills, ${report.trades.closed} closed`;
    });
    expect([...seen].filter((s) => s !== '0 fills, 0 closed' && s !== '1 fills, 1 closed')).toEqual([]);
  });
});
