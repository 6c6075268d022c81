import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type TestStack } from '../support/stack.ts';
import { eventually } from '../support/trading.ts';

let stack: TestStack;
let admin: string;
const INFY = { symbol: 'INFY', exchange: 'NSE', product: 'CASH' } as const;

beforeAll(async () => {
  // Room for every alert this file posts in a burst (the webhook class allows 10 a second by default).
  stack = await startStack({ settings: { RISK_MAX_OPEN_POSITIONS: '20', RISK_MAX_TRADE_VALUE: '1000000', ACCOUNT_CAPITAL: '100000000', RATE_LIMIT_WEBHOOK: '100,1000,2000,20000' } });
  admin = (await stack.login()).accessToken;
  await stack.market.setQuote(INFY, 1500_00);
});
afterAll(async () => stack?.stop());

/** Register a strategy: its id and the webhook URL's path, shown once. */
async function strategy(name: string): Promise<{ id: string; path: string; token: string }> {
  const res = await stack.request('/strategies', { method: 'POST', token: admin, body: JSON.stringify({ name, algoId: 'NSE-ALGO-TV' }) });
  expect(res.status).toBe(201);
  const body = (await res.json()) as { id: string; webhook: { url: string; token: string } };
  return { id: body.id, path: new URL(body.webhook.url).pathname, token: body.webhook.token };
}

/** The alert message as TradingView renders the template (every value a string). */
const alert = (marketPosition: string, orderId: string, time: string, extra: Record<string, string> = {}) =>
  JSON.stringify({ exchange: 'NSE', ticker: 'INFY', action: marketPosition === 'short' ? 'sell' : 'buy', contracts: '3', market_position: marketPosition, order_id: orderId, time, ...extra });

function post(path: string, body: string, contentType = 'application/json') {
  return stack.request(path, { method: 'POST', body, headers: { 'Content-Type': contentType } });
}

type Row = { id: string; status: string; side: string; quantity: number };
const tradesOf = (strategyId: string) => stack.db.sql<Row[]>`select id, status, side, quantity from trades where strategy = ${strategyId} order by created_at`;
const outcomeOf = async (alertId: number) => (await stack.db.sql<{ outcome: string | null }[]>`select outcome from tradingview_alerts where id = ${alertId}`)[0]?.outcome;

describe('TradingView alerts on a strategy webhook URL', () => {
  it('open a trade for the strategy on a long alert, and close it on a flat one', async () => {
    const s = await strategy('tv-entry-exit');
    const res = await post(s.path, alert('long', 'Long', '2026-12-04T04:15:00Z'));
    expect(res.status).toBe(202);
    const opened = await eventually(async () => (await tradesOf(s.id)).find((t) => t.status === 'OPEN'), 60_000, 'the entry to open');
    expect(opened).toMatchObject({ side: 'BUY', quantity: 3 });

    expect((await post(s.path, alert('flat', 'Close', '2026-12-04T05:00:00Z', { action: 'sell' }))).status).toBe(202);
    await eventually(async () => (await tradesOf(s.id)).every((t) => t.status === 'CLOSED') || undefined, 60_000, 'the exit to close it');
    expect(await tradesOf(s.id)).toHaveLength(1);
  });

  it('act on the same alert once when TradingView sends it twice', async () => {
    const s = await strategy('tv-twice');
    const body = alert('long', 'Long', '2026-12-04T04:20:00Z');
    const first = (await (await post(s.path, body)).json()) as { alertId: number };
    const again = await post(s.path, body);
    expect(again.status).toBe(202);
    expect(await again.json()).toMatchObject({ alertId: first.alertId, duplicate: true });
    await eventually(() => outcomeOf(first.alertId), 60_000, 'the alert to be acted on');
    expect(await post(s.path, body).then((r) => r.json())).toMatchObject({ duplicate: true });
    const trades = await tradesOf(s.id);
    expect(trades).toHaveLength(1);
  });

  it('take the alert sent as text/plain, and ignore a long alert while long already', async () => {
    const s = await strategy('tv-plain');
    const res = await post(s.path, alert('long', 'Long', '2026-12-04T04:25:00Z'), 'text/plain; charset=utf-8');
    expect(res.status).toBe(202);
    const { alertId } = (await res.json()) as { alertId: number };
    expect(await eventually(() => outcomeOf(alertId), 60_000, 'the alert to be acted on')).toBe('entry');
    await eventually(async () => (await tradesOf(s.id)).find((t) => t.status === 'OPEN'), 60_000, 'the entry to open');

    const pyramid = (await (await post(s.path, alert('long', 'Long', '2026-12-04T04:26:00Z'))).json()) as { alertId: number };
    expect(await eventually(() => outcomeOf(pyramid.alertId), 60_000, 'the second alert to be acted on')).toBe('ignored');
    expect(await tradesOf(s.id)).toHaveLength(1);
  });

  it('reverse a long position on a short alert: exit, then enter short', async () => {
    const s = await strategy('tv-reverse');
    await post(s.path, alert('long', 'Long', '2026-12-04T04:30:00Z'));
    await eventually(async () => (await tradesOf(s.id)).find((t) => t.status === 'OPEN'), 60_000, 'the long entry to open');
    await post(s.path, alert('short', 'Short', '2026-12-04T04:35:00Z'));
    const [long, short] = await eventually(async () => {
      const trades = await tradesOf(s.id);
      return trades.length === 2 && trades[0]!.status === 'CLOSED' && trades[1]!.status === 'OPEN' ? trades : undefined;
    }, 60_000, 'the reverse');
    expect(long).toMatchObject({ side: 'BUY' });
    expect(short).toMatchObject({ side: 'SELL', quantity: 3 });
  });

  it('answer 404 to a wrong token and 400 to a body that is not an alert; a new token retires the old URL', async () => {
    const s = await strategy('tv-refusals');
    expect((await post('/webhooks/tradingview/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', alert('long', 'Long', '2026-12-04T04:40:00Z'))).status).toBe(404);
    expect((await post('/webhooks/tradingview/short', alert('long', 'Long', '2026-12-04T04:40:00Z'))).status).toBe(404);
    const bad = await post(s.path, 'BUY INFY 3', 'text/plain');
    expect(bad.status).toBe(400);
    expect(bad.headers.get('content-type')).toContain('application/problem+json');
    expect((await post(s.path, alert('sideways', 'Long', '2026-12-04T04:40:00Z'))).status).toBe(400);

    const rotated = await stack.request(`/strategies/${s.id}/webhook-token`, { method: 'POST', token: admin });
    expect(rotated.status).toBe(200);
    const { webhook } = (await rotated.json()) as { webhook: { url: string } };
    expect(webhook.url).not.toContain(s.token);
    expect((await post(s.path, alert('flat', 'Close', '2026-12-04T04:41:00Z'))).status).toBe(404);
    expect((await post(new URL(webhook.url).pathname, alert('flat', 'Close', '2026-12-04T04:41:00Z'))).status).toBe(202);
    expect(await tradesOf(s.id)).toHaveLength(0);
  });
});
