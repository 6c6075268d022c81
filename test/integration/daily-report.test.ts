/**
 * The day's report end to end, on either broker: round trips traded through the API, then
 * GET /reports/{today IST} checked against the day's fills and charges read from the database
 * directly, its CSV and HTML forms, and the scheduled workflow delivering it through a channel.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { istParts } from '../../src/domain/market-calendar.ts';
import { istDayWindow } from '../../src/domain/report.ts';
import { dailyReportScheduleId, ensureDailyReportSchedule } from '../../src/temporal/daily-report-schedule.ts';
import type { DailyReportSummary } from '../../src/workflows/daily-report.ts';
import { recordHistory } from '../support/history-json.ts';
import { freePort } from '../support/ports.ts';
import { type ReceivedHook, type Receiver, startWebhookReceiver } from '../support/receivers.ts';
import { ownAccountId, startStack, type TestStack, workflowBundleCode } from '../support/stack.ts';
import { enter, eventually, hasStatus, market, waitForTrade } from '../support/trading.ts';

let stack: TestStack;
let trader: string;
let viewer: string;
let receiver: Receiver<ReceivedHook>;
const hooks: ReceivedHook[] = [];
const accountId = ownAccountId();
const sbin = { symbol: 'SBIN', exchange: 'NSE', product: 'CASH' } as const;
const today = () => istParts(new Date()).date;

beforeAll(async () => {
  const port = await freePort();
  receiver = await startWebhookReceiver(port, hooks);
  stack = await startStack({
    settings: { ACCOUNT_ID: accountId, ALERT_CHANNELS: 'webhook', ALERT_WEBHOOK_URL: `http://127.0.0.1:${port}/alerts`, ALERT_RETRY_MAX_S: '1', RISK_MAX_OPEN_POSITIONS: '10', RATE_LIMIT_TRADING: '1000,10000,100000,1000000' },
  });
  trader = (await stack.userWithRole('trader')).accessToken;
  viewer = (await stack.userWithRole('viewer')).accessToken;
  // Three round trips: a win, a loss and a short.
  for (const [side, entry, exit] of [['BUY', 800_00, 812_00], ['BUY', 800_00, 791_00], ['SELL', 800_00, 795_00]] as const) {
    await stack.market.setQuote(sbin, entry);
    const { body } = await enter(stack, trader, market('SBIN', { side }));
    await waitForTrade(stack, trader, body.id, hasStatus('OPEN'));
    await stack.market.setQuote(sbin, exit);
    await stack.request(`/trades/${body.id}/exit`, { method: 'POST', token: trader });
    await waitForTrade(stack, trader, body.id, hasStatus('CLOSED'));
  }
});

afterAll(async () => {
  await stack?.client.schedule.getHandle(dailyReportScheduleId(stack.config)).delete().catch(() => undefined);
  await stack?.stop();
  await receiver?.stop();
});

interface ReportJson {
  day: string;
  fills: number;
  trades: { closed: number; wins: number; losses: number; winRate: number; largestLoss: number };
  pnl: { gross: number; charges: number; net: number };
  charges: Record<'brokerage' | 'stt' | 'exchange' | 'sebi' | 'stamp' | 'gst' | 'unattributed' | 'total', number>;
  limits: { dailyLoss: { used: number; limit: number }; openPositions: { maxReached: number } };
}

describe("GET /reports/{day}", () => {
  it("totals the day's fills and charges as the database holds them", async () => {
    const res = await stack.request(`/reports/${today()}`, { token: viewer });
    expect(res.status).toBe(200);
    const report = (await res.json()) as ReportJson;
    const w = istDayWindow(today());
    const [db] = await stack.db.sql<{ fills: number; charges: number; brokerage: number; stt: number; exchange: number; sebi: number; stamp: number; gst: number; gross: number }[]>`
      select count(*)::int as fills, sum(f.charges_paise)::float8 as charges, sum(f.brokerage_paise)::float8 as brokerage, sum(f.stt_paise)::float8 as stt,
        sum(f.exchange_paise)::float8 as exchange, sum(f.sebi_paise)::float8 as sebi, sum(f.stamp_paise)::float8 as stamp, sum(f.gst_paise)::float8 as gst,
        sum(case when o.leg = 'EXIT' then (f.price_paise - t.entry_price_paise) * f.quantity * (case when t.side = 'BUY' then 1 else -1 end) else 0 end)::float8 as gross
      from fills f join orders o on o.tag = f.order_tag join trades t on t.id = f.trade_id
      where f.account_id = ${accountId} and f.filled_at >= ${w.from} and f.filled_at < ${w.to}`;
    const [trades] = await stack.db.sql<{ gross: number; worst: number }[]>`
      select sum(gross_pnl_paise)::float8 as gross, min(realized_pnl_paise)::float8 as worst from trades where account_id = ${accountId} and status = 'CLOSED'`;
    expect(db!.fills).toBe(6);
    expect(report.fills).toBe(db!.fills);
    expect(report.pnl.gross * 100).toBeCloseTo(db!.gross, 6);
    expect(report.pnl.gross * 100).toBeCloseTo(trades!.gross, 6);
    expect(report.pnl.charges * 100).toBeCloseTo(db!.charges, 6);
    expect(report.pnl.net * 100).toBeCloseTo(db!.gross - db!.charges, 6);
    for (const k of ['brokerage', 'stt', 'exchange', 'sebi', 'stamp', 'gst'] as const) expect(report.charges[k] * 100).toBeCloseTo(db![k], 6);
    expect(report.charges.unattributed).toBe(0);
    expect(report.charges.total * 100).toBeCloseTo(db!.charges, 6);
    expect(report.trades).toMatchObject({ closed: 3, wins: 2, losses: 1 });
    expect(report.trades.winRate).toBeCloseTo(2 / 3);
    expect(report.trades.largestLoss * 100).toBeCloseTo(trades!.worst, 6);
    expect(report.limits.openPositions.maxReached).toBe(1);
  });

  it('answers CSV for Accept: text/csv and a page with an inline SVG chart for Accept: text/html', async () => {
    const csv = await stack.request(`/reports/${today()}`, { token: viewer, headers: { Accept: 'text/csv' } });
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toMatch(/^text\/csv/);
    const [header, values] = (await csv.text()).trim().split('\r\n');
    expect(header).toContain('net_pnl');
    expect(values).toContain(today());
    const page = await stack.request(`/reports/${today()}`, { token: viewer, headers: { Accept: 'text/html' } });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    // the page's own policy (inline styles, nothing else), not the API's
    expect(page.headers.get('content-security-policy')).toMatch(/^default-src 'none'; style-src 'unsafe-inline'/);
    const html = await page.text();
    expect(html).toContain('<svg');
    expect(html).toContain(' IST</text>');
    expect(html).not.toContain('<script');
  });

  it('refuses a day that is not an IST date with a 400 problem', async () => {
    for (const day of ['2026-02-30', 'today', '04-12-2026']) {
      const res = await stack.request(`/reports/${day}`, { token: viewer });
      expect(res.status).toBe(400);
      expect(res.headers.get('content-type')).toMatch(/problem\+json/);
    }
  });
});

describe("the scheduled day's report", () => {
  const reportHooks = () => hooks.map((h) => JSON.parse(h.body) as { type: string; labels: Record<string, string>; body: string }).filter((b) => b.type === 'report' && b.labels.account === accountId);

  it('runs from its schedule and delivers the report through the alert channel, once', async () => {
    await ensureDailyReportSchedule(stack.client, stack.config);
    await ensureDailyReportSchedule(stack.client, stack.config); // idempotent: updates in place
    const handle = stack.client.schedule.getHandle(dailyReportScheduleId(stack.config));
    const described = await handle.describe();
    expect(described.spec.calendars?.[0]).toMatchObject({ hour: [{ start: 15, end: 15, step: 1 }], minute: [{ start: 45, end: 45, step: 1 }] });
    expect(described.spec.timezone).toBe('Asia/Kolkata');
    await handle.trigger();
    const workflowId = await eventually(async () => (await handle.describe()).info.recentActions[0]?.action.workflow.workflowId, 30_000, 'the triggered run');
    const summary = (await stack.client.workflow.getHandle(workflowId).result()) as DailyReportSummary;
    expect(summary).toMatchObject({ day: today(), tradingDay: true, sent: 1 });
    const [sent] = await eventually(async () => reportHooks().length > 0 && reportHooks(), 60_000, 'the report at the webhook');
    expect(sent!.labels.day).toBe(today());
    expect(sent!.body).toContain('Trades closed: 3 (won 2, lost 1)');
    // The delivery is recorded once the channel answered, a moment after the webhook saw the message.
    const deliveries = await eventually(async () => {
      const rows = await stack.db.sql`select d.status from alert_deliveries d join alert_events e on e.id = d.event_id where e.rule_id = 'daily-report' and e.labels->>'account' = ${accountId}`;
      return rows.length > 0 && rows;
    }, 10_000, 'the delivery recorded');
    expect(deliveries.map((d) => d.status)).toEqual(['DELIVERED']);
    await recordHistory(stack.client, workflowId, 'dailyReportWorkflow', 'scheduled-report-sent', workflowBundleCode());

    // A second run of the same day (a retry, an operator) stores the report again and sends nothing more.
    const again = await stack.client.workflow.execute('dailyReportWorkflow', { workflowId: `daily-report-again-${accountId}`, taskQueue: stack.config.temporal.TEMPORAL_TASK_QUEUE, args: [{ day: today() }] });
    expect(again).toMatchObject({ day: today(), sent: 1 });
    await new Promise((r) => setTimeout(r, 1500));
    expect(reportHooks()).toHaveLength(1);
    const [stored] = await stack.db.sql<{ n: number }[]>`select count(*)::int as n from daily_reports where account_id = ${accountId} and day = ${today()}`;
    expect(stored!.n).toBe(1);
  });
});
