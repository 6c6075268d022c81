import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signWebhook } from '../../src/security/webhook-signature.ts';
import { startStack, type TestStack } from '../support/stack.ts';

const SECRET = 'whsec_shared-test-secret-0123456789';
let stack: TestStack;

beforeAll(async () => {
  stack = await startStack({ settings: { WEBHOOK_SECRET: SECRET } });
  await stack.paper.setQuote({ symbol: 'INFY', exchange: 'NSE', product: 'CASH' }, 150000);
});
afterAll(async () => stack?.stop());

const signal = (signalId: string, extra: Record<string, unknown> = {}) =>
  JSON.stringify({ signalId, symbol: 'INFY', exchange: 'NSE', side: 'BUY', quantity: 5, orderType: 'MARKET', ...extra });

function post(body: string, opts: { secret?: string; timestamp?: number; signature?: string; key?: string } = {}) {
  const timestamp = opts.timestamp ?? Math.floor(Date.now() / 1000);
  const signature = opts.signature ?? signWebhook(opts.secret ?? SECRET, timestamp, body);
  return stack.request('/webhooks/signals', {
    method: 'POST',
    body,
    headers: { 'X-Signature-Timestamp': String(timestamp), 'X-Signature': signature, ...(opts.key ? { 'X-Webhook-Key': opts.key } : {}) },
  });
}

async function rejections(reason: string) {
  const rows = await stack.db.sql`select 1 from audit_events where event_type = 'WEBHOOK_REJECTED' and payload->>'reason' = ${reason}`;
  return rows.length;
}

describe('signed webhooks', () => {
  it('turn a valid signal into a trade through the same risk checks', async () => {
    const res = await post(signal('tv-signal-0001'));
    expect(res.status).toBe(201);
    const trade = (await res.json()) as { status: string; source: string; signalId: string };
    expect(trade).toMatchObject({ status: 'OPEN', source: 'webhook', signalId: 'tv-signal-0001' });
  });

  it('refuse a tampered body, and audit it', async () => {
    const body = signal('tv-signal-0002');
    const timestamp = Math.floor(Date.now() / 1000);
    const res = await post(body.replace('"quantity":5', '"quantity":500'), { timestamp, signature: signWebhook(SECRET, timestamp, body) });
    expect(res.status).toBe(401);
    expect(await rejections('bad-signature')).toBeGreaterThanOrEqual(1);
  });

  it('refuse a signature made with another secret', async () => {
    expect((await post(signal('tv-signal-0003'), { secret: 'whsec_someone-elses-secret-000' })).status).toBe(401);
  });

  it('refuse an old timestamp and a future one', async () => {
    const now = Math.floor(Date.now() / 1000);
    expect((await post(signal('tv-signal-0004'), { timestamp: now - 301 })).status).toBe(401);
    expect((await post(signal('tv-signal-0005'), { timestamp: now + 301 })).status).toBe(401);
    expect(await rejections('stale')).toBeGreaterThanOrEqual(2);
  });

  it('refuse missing signature headers', async () => {
    const res = await stack.request('/webhooks/signals', { method: 'POST', body: signal('tv-signal-0006') });
    expect(res.status).toBe(401);
    expect(await rejections('missing')).toBeGreaterThanOrEqual(1);
  });

  it('refuse a replayed signal id: one trade, and the replay audited', async () => {
    const body = signal('tv-signal-0007');
    expect((await post(body)).status).toBe(201);
    const replay = await post(body);
    expect(replay.status).toBe(409);
    expect(await rejections('replayed signal id')).toBe(1);
    const orders = await stack.db.sql`select count(*)::int as n from paper_orders p join trades t on p.tag like t.id || '%' where t.signal_id = 'tv-signal-0007'`;
    expect(orders[0]!.n).toBe(1);
    const receipts = await stack.db.sql`select trade_id from webhook_receipts where signal_id = 'tv-signal-0007'`;
    expect(receipts).toHaveLength(1);
  });

  it('accept signals signed with an API key of its own, acting for that key', async () => {
    const admin = await stack.login();
    const trader = await stack.userWithRole('trader');
    const created = await stack.request('/api-keys', {
      method: 'POST',
      token: admin.accessToken,
      body: JSON.stringify({ name: 'tradingview', userId: trader.id, scopes: ['trade'], webhookSigning: true }),
    });
    const key = (await created.json()) as { id: string; prefix: string; webhookSecret: string };
    const res = await post(signal('tv-signal-0008'), { secret: key.webhookSecret, key: key.prefix });
    expect(res.status).toBe(201);
    const [row] = await stack.db.sql`select requested_by from trades where signal_id = 'tv-signal-0008'`;
    expect(row!.requested_by).toBe(`api_key:${key.id}`);
    // The shared secret does not sign for a key.
    expect((await post(signal('tv-signal-0009'), { key: key.prefix })).status).toBe(401);
  });
});
