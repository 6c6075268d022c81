/**
 * The whole system trading through Breeze (the emulator is the only stand-in): the operator sets
 * the day's session through the API and the CLI, an expired session reduces trading to exits, the
 * exit completes once a new session is set, and reconciliation finds an order placed at the broker
 * behind the system's back.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BreezeEmulator } from '../../tools/breeze-emulator/types.ts';
import { loadBreezeSession } from '../../src/db/breeze-sessions.ts';
import { RELIANCE } from '../support/breeze.ts';
import { startStack, type TestStack } from '../support/stack.ts';
import { enter, eventually, hasStatus, market, waitForTrade } from '../support/trading.ts';
import { sealAudit } from '../../src/audit/seal.ts';

const run = promisify(execFile);
let emulator: BreezeEmulator;
let stack: TestStack;
let admin: string;
let trader: string;

beforeAll(async () => {
  stack = await startStack({
    testBroker: 'breeze',
    // No BREEZE_API_SESSION: the operator sets the day's session.
    settings: { BREEZE_API_SESSION: '', BROKER_SESSION_RETRY_S: '1', RECONCILIATION_RUN_WAIT_MS: '30000' },
  });
  emulator = stack.emulator!;
  emulator.setQuote({ exchange: 'NSE', stockCode: 'RELIND', product: 'cash' }, { ltpPaise: 2450_00 });
  admin = (await stack.login()).accessToken;
  trader = (await stack.userWithRole('trader')).accessToken;
});
afterAll(async () => stack?.stop());

interface BrokerStatus {
  broker: string;
  trading: { state: string; reason: string | null };
  session: { tradingDay: string; set: boolean; valid: boolean; userId: string | null };
  budget: { left: { callsThisMinute: number; callsToday: number } | null };
}

async function brokerStatus(): Promise<BrokerStatus> {
  const res = await stack.request('/broker/status', { token: admin });
  expect(res.status).toBe(200);
  return (await res.json()) as BrokerStatus;
}

const setSession = (apiSession: string, token = admin) => stack.request('/broker/session', { method: 'POST', token, body: JSON.stringify({ apiSession }) });
async function auditOf(type: string) {
  await sealAudit(stack.db.sql);
  return stack.db.sql<{ payload: Record<string, unknown>; actor_id: string }[]>`select payload, actor_id from audit_events where event_type = ${type} order by seq`;
}

/** `npm run breeze:session -- <apiSession>` against the stack's database. */
function sessionCli(apiSession: string) {
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    DATABASE_URL: stack.db.url,
    DATA_DIR: stack.config.dataDir,
    ACCOUNT_ID: stack.config.account.ACCOUNT_ID,
    ...stack.brokerSettings,
    BREEZE_API_SESSION: '',
  };
  return run(process.execPath, ['--import', 'tsx', path.resolve('scripts/breeze-session.ts'), apiSession], { env });
}

describe('the Breeze session, the operator’s way', () => {
  it('sets the day’s session through POST /broker/session (admin only), audited without the session itself; orders then use it', async () => {
    const before = await brokerStatus();
    expect(before).toMatchObject({ broker: 'breeze', session: { set: false, valid: false, userId: null } });
    expect(before.budget.left?.callsToday).toBeGreaterThan(0);

    expect((await setSession(emulator.apiSession, trader)).status).toBe(403);
    const refused = await setSession('99999');
    expect(refused.status).toBe(422);
    expect(((await refused.json()) as { type: string }).type).toBe('/problems/broker-session-refused');

    const res = await setSession(emulator.apiSession);
    expect(res.status).toBe(200);
    const set = (await res.json()) as { tradingDay: string; userId: string };
    expect(set).toEqual({ broker: 'breeze', tradingDay: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/), userId: 'EMU00001' });
    expect(await brokerStatus()).toMatchObject({ session: { tradingDay: set.tradingDay, set: true, valid: true, userId: 'EMU00001' } });

    const audited = await auditOf('BROKER_SESSION_SET');
    expect(audited.map((a) => a.payload)).toEqual([{ broker: 'breeze', tradingDay: set.tradingDay, userId: 'EMU00001', via: 'api' }]);
    const stored = await loadBreezeSession(stack.db.sql, set.tradingDay);
    await sealAudit(stack.db.sql);
    const everything = JSON.stringify(await stack.db.sql`select payload from audit_events`);
    expect(everything).not.toContain(stored!.sessionToken);
    expect(everything).not.toContain(emulator.apiSession);

    // The worker's client signs with the stored session: no login call of its own.
    const logins = emulator.sent('GET', 'customerdetails').length;
    const { body: trade } = await enter(stack, trader, market('RELIANCE', { quantity: 2 }));
    expect(trade.status).toBe('OPEN');
    expect(emulator.sent('GET', 'customerdetails')).toHaveLength(logins);
    await stack.request(`/trades/${trade.id}/exit`, { method: 'POST', token: trader });
    await waitForTrade(stack, trader, trade.id, hasStatus('CLOSED'));
  });

  it('reduces trading when the session expires during a trade; the exit completes once the CLI sets a new session', async () => {
    const { body: trade } = await enter(stack, trader, market('RELIANCE', { quantity: 3 }));
    expect(trade.status).toBe('OPEN');
    emulator.expireSessions();

    await stack.request(`/trades/${trade.id}/exit`, { method: 'POST', token: trader });
    await eventually(async () => (await brokerStatus()).trading.state === 'REDUCING', 30_000, 'trading reduced');
    const reduced = await auditOf('TRADING_REDUCED');
    expect(reduced).toHaveLength(1);
    expect(String(reduced[0]!.payload.reason)).toMatch(/^BROKER_SESSION_EXPIRED/);
    expect((await brokerStatus()).session).toMatchObject({ set: true, valid: false });

    // Entries are refused by the risk check; the exit keeps retrying.
    const entry = await enter(stack, trader, market('RELIANCE', { quantity: 1 }));
    expect(entry.status).toBe(422);
    expect((entry.body as unknown as { violations: { rule: string }[] }).violations.map((v) => v.rule)).toContain('TRADING_HALTED');
    expect((await waitForTrade(stack, trader, trade.id, () => true)).status).toBe('EXITING');

    const { stdout } = await sessionCli(emulator.login());
    expect(JSON.parse(stdout)).toEqual({ tradingDay: expect.any(String), userId: 'EMU00001' });
    const closed = await waitForTrade(stack, trader, trade.id, hasStatus('CLOSED'));
    expect(closed.status).toBe('CLOSED');
    const viaCli = (await auditOf('BROKER_SESSION_SET')).at(-1)!;
    expect(viaCli).toMatchObject({ actor_id: 'breeze-session-cli', payload: { via: 'cli', userId: 'EMU00001' } });
    expect((await brokerStatus()).session).toMatchObject({ set: true, valid: true });

    // Still REDUCING until an admin resumes.
    expect((await brokerStatus()).trading.state).toBe('REDUCING');
    expect((await stack.request('/risk/resume', { method: 'POST', token: admin })).status).toBe(200);
    expect((await brokerStatus()).trading.state).toBe('ACTIVE');
  });

  it('the CLI refuses an API_Session Breeze does not know, storing nothing', async () => {
    const day = (await brokerStatus()).session.tradingDay;
    const stored = await loadBreezeSession(stack.db.sql, day);
    const failed = await sessionCli('12345').catch((err: { code: number; stderr: string }) => err);
    expect(failed).toMatchObject({ code: 2, stderr: expect.stringContaining('Breeze refused this API_Session') });
    expect(await loadBreezeSession(stack.db.sql, day)).toEqual(stored);
  });

  it('reconciliation finds an order placed directly at the broker and locks its symbol', async () => {
    const stray = await stack.market.placeStray({ tag: 'by-hand', instrument: RELIANCE, side: 'BUY', quantity: 1, orderType: 'LIMIT', limitPricePaise: 2000_00 });
    const res = await stack.request('/reconciliation/run', { method: 'POST', token: admin });
    expect(res.status).toBe(200);
    const round = (await res.json()) as { mismatches: { kind: string; ref: string; state: string }[] };
    expect(round.mismatches).toEqual([expect.objectContaining({ kind: 'UNKNOWN_ORDER', ref: stray.brokerOrderId, state: 'NEW' })]);
    const entry = await enter(stack, trader, market('RELIANCE', { quantity: 1 }));
    expect((entry.body as unknown as { violations: { rule: string }[] }).violations.map((v) => v.rule)).toEqual(['RECONCILIATION_LOCK']);
  });
});
