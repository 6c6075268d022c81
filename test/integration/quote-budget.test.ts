/**
 * Budget arithmetic (issue 13, item 6), in a short real window rather than a time-skipped session:
 * with the price stream unreachable, three positions with stops and targets fall back to REST
 * quotes, and the worker's quote calls stay within its ration (domain/quote-budget.ts), the same
 * bound one position would have: the rate does not grow with the number of positions.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createBreezeClient } from '../../src/broker/breeze/create.ts';
import { fallbackQuotesPerMinute } from '../../src/domain/quote-budget.ts';
import { startBreezeEmulator } from '../../tools/breeze-emulator/server.ts';
import type { BreezeEmulator } from '../../tools/breeze-emulator/types.ts';
import { freePort } from '../support/ports.ts';
import { silentLogger } from '../support/logger.ts';
import { ownAccountId, startStack, type TestStack } from '../support/stack.ts';
import { enter, hasStatus, market, waitForTrade } from '../support/trading.ts';

const relind = { exchange: 'NSE', stockCode: 'RELIND', product: 'cash' } as const;
const HOLD_MS = 25_000;
let emulator: BreezeEmulator;
let stack: TestStack;
let trader: string;

beforeAll(async () => {
  const appKey = `app-${randomBytes(4).toString('hex')}`;
  emulator = await startBreezeEmulator({ appKey, secretKey: 'emulator-secret' });
  emulator.setQuote(relind, { ltpPaise: 2450_00 });
  // nothing listens there: the feed never connects, every price is stale
  const nowhere = `http://127.0.0.1:${await freePort()}`;
  const settings = {
    ACCOUNT_ID: ownAccountId(),
    BROKER: 'breeze',
    BREEZE_APP_KEY: appKey,
    BREEZE_SECRET_KEY: 'emulator-secret',
    BREEZE_API_SESSION: emulator.apiSession,
    BREEZE_BASE_URL: emulator.url,
    BREEZE_LIVE_STREAM_URL: nowhere,
    BREEZE_LIVE_FEEDS_URL: nowhere,
    BREEZE_TIMEOUT_MS: '2000',
    PRICE_STALE_S: '1',
    RISK_MAX_OPEN_POSITIONS: '10',
  };
  stack = await startStack({ settings, broker: (config, db) => createBreezeClient({ config, sql: db.sql, log: silentLogger }) });
  trader = (await stack.userWithRole('trader')).accessToken;
});
afterAll(async () => {
  await stack?.stop();
  await emulator?.stop();
});

it('keeps the REST quotes of three watched positions within one worker ration, whatever their number', async () => {
  const ids: string[] = [];
  for (let i = 0; i < 3; i++) {
    const { status, body } = await enter(stack, trader, market('RELIANCE', { quantity: 1, stopLoss: 2300, target: 2600 }));
    expect(status).toBe(201);
    ids.push(body.id);
  }
  for (const id of ids) await waitForTrade(stack, trader, id, hasStatus('OPEN'));
  const from = Date.now();
  await new Promise((r) => setTimeout(r, HOLD_MS));
  const quotes = emulator.sent('GET', 'quotes').filter((r) => r.at.getTime() >= from).length;
  const perMinute = fallbackQuotesPerMinute({ callsPerMinute: 100, callsPerDay: 5000, orderReservePerMinute: 20, orderReservePerDay: 500 });
  // one quote every 60/perMinute seconds, shared by the three positions (one more at the window's edge)
  expect(quotes).toBeLessThanOrEqual(Math.ceil((HOLD_MS / 60_000) * perMinute) + 1);
  // and the protection still works: a price through the stops closes all three
  emulator.setQuote(relind, { ltpPaise: 2290_00 });
  for (const id of ids) expect((await waitForTrade(stack, trader, id, hasStatus('CLOSED'), 60_000)).exitReason).toBe('STOP_LOSS');
  // every call the system made in the minute from the hold's start, the exits included, within Breeze's 100
  expect(emulator.requests.filter((r) => r.at.getTime() >= from && r.at.getTime() < from + 60_000).length).toBeLessThanOrEqual(100);
}, 180_000);
