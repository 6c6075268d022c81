/**
 * The risk check reads the book in several statements under the account's lock; a change to the
 * book (a fill converting a reservation, an entry released, an exit realizing P&L) must wait for
 * that lock, or a fill committing between two of its reads would count in neither (invariant 1).
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { riskActivities } from '../../src/activities/risk.ts';
import { tradeRecordActivities } from '../../src/activities/trade-records.ts';
import { createAuditLog } from '../../src/audit/append.ts';
import { PaperExchange } from '../../src/broker/paper/exchange.ts';
import type { Config } from '../../src/config.ts';
import { ensureAccount, lockAccount } from '../../src/db/accounts.ts';
import { testConfig } from '../support/config.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { silentLogger } from '../support/logger.ts';

let db: TestDatabase;
let config: Config;
beforeAll(async () => {
  db = await createTestDatabase();
  config = testConfig({ DATABASE_URL: db.url });
  await ensureAccount(db.sql, config.ACCOUNT_ID, 50_000_000);
});
afterAll(async () => db?.drop());

it('makes a change to the book wait while a risk check holds the account', async () => {
  const broker = new PaperExchange({ sql: db.sql, marketHours: 'always', slippageBps: 0, randomWalk: false, seed: 1 });
  const instrument = { symbol: 'ITC', exchange: 'NSE' as const, product: 'CASH' as const };
  await broker.setQuote(instrument, 450_00);
  const deps = { config, sql: db.sql, broker, audit: createAuditLog(), log: silentLogger, temporal: undefined as never };
  const reserved = await riskActivities(deps).reserveRisk({
    tradeId: 'tlockingaaaaaaaa',
    accountId: config.ACCOUNT_ID,
    request: { instrument, side: 'BUY', quantity: 10, orderType: 'MARKET', intraday: true },
    requestFingerprint: 'f'.repeat(64),
    requestedBy: { type: 'user', id: 'tester' },
    source: 'api',
  });
  expect(reserved.outcome).toBe('ACCEPTED');

  let release!: () => void;
  let locked!: () => void;
  const accountHeld = new Promise<void>((r) => (locked = r));
  const check = db.sql.begin(async (tx) => {
    await lockAccount(tx, config.ACCOUNT_ID);
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
  const [reservation] = await db.sql<{ status: string }[]>`select status from reservations where trade_id = 'tlockingaaaaaaaa'`;
  expect(reservation!.status).toBe('ACTIVE');

  release();
  await check;
  expect(await change).toBe('CANCELLED');
});
