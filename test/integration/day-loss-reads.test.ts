/**
 * What the day's loss reads as while a losing position closes: the monitoring snapshot (the
 * daily-loss alert, the console's gauges) and GET /risk/status. The exit fill turns the open loss
 * into realized loss in one statement; no read may see the trade in neither, or in both. (The
 * guard that flattens on the loss has the same test in daily-loss.test.ts.)
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readRiskStatus } from '../../src/api/services/risk-views.ts';
import { ensureAccount } from '../../src/db/accounts.ts';
import { recordPrice } from '../../src/db/market-prices.ts';
import { instrumentKey } from '../../src/domain/trade.ts';
import { readSnapshot } from '../../src/observability/snapshot.ts';
import { testConfig } from '../support/config.ts';
import { readWhileClosing } from '../support/closing-trade.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';

let db: TestDatabase;
const accountId = 'closing-desk';
const reliance = { symbol: 'RELIANCE', exchange: 'NSE', product: 'CASH' } as const;

beforeAll(async () => {
  db = await createTestDatabase();
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
  const config = () => testConfig({ DATABASE_URL: db.url });

  it('is ₹150 in every monitoring snapshot', async () => {
    const seen = await readWhileClosing(db.admin, closingTrade, async () => (await readSnapshot({ sql: db.sql, config: config() })).accounts.find((a) => a.accountId === accountId)!.dailyLoss.used);
    expect(seen).toEqual(new Set([150]));
  });

  it('is ₹150 in every risk status', async () => {
    const seen = await readWhileClosing(db.admin, closingTrade, async () => (await readRiskStatus({ sql: db.sql, config: config(), temporal: undefined as never }, accountId)).usage.dailyLoss.used);
    expect(seen).toEqual(new Set([150]));
  });
});
