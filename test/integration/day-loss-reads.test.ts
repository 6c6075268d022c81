/**
 * What the day's loss reads as while a losing position closes: the monitoring snapshot (the
 * daily-loss alert, the console's gauges) and GET /risk/status. The exit fill turns the open loss
 * into realized loss in one statement; no read may see the trade in neither, or in both. (The
 * guard that flattens on the loss has the same test in daily-loss.test.ts.) And the status's funds
 * while an entry fill moves its margin from reserved to used.
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

describe('the funds of the risk status while an entry fills', () => {
  it('shows the margin of the filling order as reserved or as used, never as both or neither', async () => {
    // The fill converts the order's reservation and blocks its margin in the ledger in one
    // transaction; here, ₹500 of margin, over and over.
    await db.admin`insert into reservations (trade_id, account_id, instrument_key, side, quantity, notional_paise, margin_paise, status)
      values ('tclosingdeskaaaa', ${accountId}, ${instrumentKey(reliance)}, 'BUY', 10, 2450000, 50000, 'ACTIVE')`;
    const [ledger] = await db.admin<{ id: string }[]>`insert into funds_ledger (account_id, kind, margin_paise) values (${accountId}, 'ADJUSTMENT', 0) returning id`;
    let filling = true;
    const flipping = (async () => {
      for (let filled = false; filling; filled = !filled) {
        await db.admin.begin(async (tx) => {
          await tx`update reservations set status = ${filled ? 'ACTIVE' : 'CONVERTED'} where trade_id = 'tclosingdeskaaaa'`;
          await tx`update funds_ledger set margin_paise = ${filled ? 0 : 50000} where id = ${ledger!.id}`;
        });
      }
    })();
    const held = new Set<number>();
    try {
      for (let i = 0; i < 150; i++) {
        const { funds } = (await readRiskStatus({ sql: db.sql, config: testConfig({ DATABASE_URL: db.url }), temporal: undefined as never }, accountId)).usage;
        held.add((funds.usedMarginPaise ?? 0) + (funds.reservedMarginPaise ?? 0));
      }
    } finally {
      filling = false;
      await flipping;
    }
    expect(held).toEqual(new Set([50000]));
  });
});
