/**
 * The exchange calendar as data: an order in a year whose calendar is not loaded is refused
 * (MARKET_CALENDAR_MISSING), loading the exchange's file through PUT /market/calendar/{year} lets it
 * trade and is audited, and a bad file changes nothing. The worker's clock is the test's: a year far
 * from any calendar the repository ships, so the dates below are fixtures, not exchange dates.
 */
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ownAccountId, startStack, type TestStack } from '../support/stack.ts';
import { enter, market } from '../support/trading.ts';
import { sealAudit } from '../../src/audit/seal.ts';

const ist = (date: string, hhmm: string) => new Date(`${date}T${hhmm}:00+05:30`);
let clock = ist('2035-01-09', '10:00'); // a Tuesday
let stack: TestStack;
let admin: string;
let trader: string;
let viewer: string;
const itc = { symbol: 'ITC', exchange: 'NSE', product: 'CASH' } as const;
const rulesOf = (body: unknown) => ((body as { violations?: { rule: string }[] }).violations ?? []).map((v) => v.rule);
const delivery = (extra: Record<string, unknown> = {}) => market('ITC', { quantity: 1, intraday: false, ...extra });

/** A file in NSE's holiday-master format; the dates are test fixtures, not NSE's. */
const FILE_2035 = {
  CM: [{ Sr_no: 1, tradingDate: '26-Jan-2035', weekDay: 'Friday', description: 'Fixture holiday (not an exchange date)' }],
  FO: [{ Sr_no: 1, tradingDate: '26-Jan-2035', weekDay: 'Friday', description: 'Fixture holiday (not an exchange date)' }],
  CD: [{ Sr_no: 1, tradingDate: '01-Jan-2035', weekDay: 'Monday', description: 'Another segment: ignored' }],
  specialSessions: [{ tradingDate: '26-Jan-2035', opens: '18:00', closes: '19:00', description: 'Fixture special session' }],
};

const put = (year: number, body: unknown, token = admin) => stack.request(`/market/calendar/${year}`, { method: 'PUT', token, body: JSON.stringify(body) });
async function calendarAudits() {
  await sealAudit(stack.db.sql);
  return stack.db.sql<{ payload: Record<string, unknown> }[]>`select payload from audit_events where event_type = 'CONFIG_CHANGED' and payload->>'setting' = 'market_calendar' order by seq`;
}

beforeAll(async () => {
  stack = await startStack({ settings: { ACCOUNT_ID: ownAccountId(), MARKET_HOURS: 'nse', SQUARE_OFF_TIME: 'off' }, now: () => clock });
  admin = (await stack.login()).accessToken;
  trader = (await stack.userWithRole('trader')).accessToken;
  viewer = (await stack.userWithRole('viewer')).accessToken;
  await stack.market.setQuote(itc, 450_00);
});
afterAll(async () => stack?.stop());

describe('the exchange calendar by year', () => {
  it('refuses an order on a weekday of a year without a calendar with MARKET_CALENDAR_MISSING', async () => {
    const refused = await enter(stack, trader, delivery());
    expect(refused.status).toBe(422);
    expect(rulesOf(refused.body)).toContain('MARKET_CALENDAR_MISSING');
    expect(rulesOf(refused.body)).not.toContain('MARKET_CLOSED');
  });

  it('refuses a bad file as a whole, naming each problem, and changes nothing', async () => {
    const bad = {
      CM: [
        { tradingDate: '26-Jan-2035', weekDay: 'Monday', description: 'Wrong weekday' },
        { tradingDate: '02-Oct-2034', weekDay: 'Monday', description: 'Another year' },
        { tradingDate: '31-Feb-2035', description: 'No such day' },
      ],
    };
    const res = await put(2035, bad);
    expect(res.status).toBe(400);
    const problem = (await res.json()) as { errors: { pointer: string }[] };
    expect(problem.errors.map((e) => e.pointer)).toEqual(['/CM/0/weekDay', '/CM/1/tradingDate', '/CM/2/tradingDate']);
    expect((await put(2035, { FO: FILE_2035.FO })).status).toBe(400); // no cash list
    expect((await put(2035, { ...FILE_2035, FO: [] })).status).toBe(400); // F&O differs from cash

    const year = (await (await stack.request('/market/calendar?year=2035', { token: viewer })).json()) as { loaded: string[]; holidays: unknown[] };
    expect(year).toMatchObject({ loaded: [], holidays: [] });
    expect(await calendarAudits()).toEqual([]);
    expect(rulesOf((await enter(stack, trader, delivery())).body)).toContain('MARKET_CALENDAR_MISSING');
  });

  it('loads the year from the exchange file (admin only, audited with its digest), then takes the order', async () => {
    expect((await put(2035, FILE_2035, viewer)).status).toBe(403);
    const res = await put(2035, FILE_2035);
    expect(res.status).toBe(200);
    const loaded = (await res.json()) as { digest: string; loaded: string[] };
    expect(loaded.digest).toMatch(/^[0-9a-f]{64}$/);
    expect(loaded.loaded).toEqual(['NSE', 'BSE']);

    const [audit, ...more] = await calendarAudits();
    expect(more).toEqual([]);
    expect(audit!.payload).toMatchObject({ year: 2035, digest: loaded.digest, exchanges: ['NSE', 'BSE'], new: { holidays: ['2035-01-26'], specialSessions: ['2035-01-26 18:00-19:00'] } });

    const year = await (await stack.request('/market/calendar?year=2035', { token: viewer })).json();
    expect(year).toMatchObject({
      year: 2035,
      loaded: ['NSE', 'BSE'],
      holidays: [{ exchange: 'BSE', day: '2035-01-26' }, { exchange: 'NSE', day: '2035-01-26', description: 'Fixture holiday (not an exchange date)' }],
      specialSessions: [{ exchange: 'BSE', day: '2035-01-26', opens: '18:00', closes: '19:00' }, { exchange: 'NSE', day: '2035-01-26' }],
    });

    expect((await enter(stack, trader, delivery())).status).toBe(201);
  });

  it('keeps a loaded holiday closed, except during its special session', async () => {
    clock = ist('2035-01-26', '10:00');
    await stack.market.setQuote(itc, 450_00);
    expect(rulesOf((await enter(stack, trader, delivery())).body)).toEqual(['MARKET_CLOSED']);
    clock = ist('2035-01-26', '18:30');
    await stack.market.setQuote(itc, 450_00);
    expect((await enter(stack, trader, delivery())).status).toBe(201);
  });

  it('loads a year from the command line too, for one exchange, audited as from a file', async () => {
    const file = path.join(stack.config.dataDir, 'nse-2036.json');
    writeFileSync(file, JSON.stringify({ CM: [{ tradingDate: '25-Dec-2036', weekDay: 'Thursday', description: 'Fixture holiday (not an exchange date)' }] }));
    const env = { PATH: process.env.PATH, HOME: process.env.HOME, NODE_ENV: 'test', DATABASE_URL: stack.db.url, DATA_DIR: stack.config.dataDir };
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', 'scripts/market-calendar.ts', 'load', '2036', file, 'NSE'], { env });
    expect(JSON.parse(stdout)).toMatchObject({ year: 2036, exchanges: ['NSE'], holidays: 1 });
    const year = await (await stack.request('/market/calendar?year=2036', { token: viewer })).json();
    expect(year).toMatchObject({ loaded: ['NSE'], loads: [{ exchange: 'NSE', source: 'file nse-2036.json' }], holidays: [{ exchange: 'NSE', day: '2036-12-25' }] });
    expect((await calendarAudits()).at(-1)!.payload).toMatchObject({ year: 2036, exchanges: ['NSE'], source: 'file nse-2036.json' });
  });
});
