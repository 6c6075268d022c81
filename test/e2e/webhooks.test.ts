import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signWebhook } from '../../src/domain/webhook-signature.ts';
import { ownAccountId, startStack, TEST_IP, type TestStack } from '../support/stack.ts';
import { sealAudit } from '../../src/audit/seal.ts';

const SECRET = 'whsec_shared-test-secret-0123456789';
let stack: TestStack;

beforeAll(async () => {
  // Room for every trade this file opens (each test's signal opens one).
  stack = await startStack({ settings: { WEBHOOK_SECRET: SECRET, RISK_MAX_OPEN_POSITIONS: '20' } });
  await stack.market.setQuote({ symbol: 'INFY', exchange: 'NSE', product: 'CASH' }, 150000);
});
afterAll(async () => stack?.stop());

/** The orders the exchange received for the trades of one signal. */
async function ordersOfSignal(signalId: string) {
  const trades = await stack.db.sql<{ id: string }[]>`select id from trades where signal_id = ${signalId}`;
  return (await Promise.all(trades.map((t) => stack.market.orders(t.id)))).flat();
}

const signal = (signalId: string, extra: Record<string, unknown> = {}) =>
  JSON.stringify({ signalId, symbol: 'INFY', exchange: 'NSE', side: 'BUY', quantity: 5, orderType: 'MARKET', ...extra });

function post(body: string, opts: { secret?: string; timestamp?: number; signature?: string; key?: string; ip?: string } = {}) {
  const timestamp = opts.timestamp ?? Math.floor(Date.now() / 1000);
  const signature = opts.signature ?? signWebhook(opts.secret ?? SECRET, timestamp, body);
  return stack.request('/webhooks/signals', {
    method: 'POST',
    body,
    ...(opts.ip ? { ip: opts.ip } : {}),
    headers: { 'X-Signature-Timestamp': String(timestamp), 'X-Signature': signature, ...(opts.key ? { 'X-Webhook-Key': opts.key } : {}) },
  });
}

async function rejections(reason: string) {
  await sealAudit(stack.db.sql);
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
    expect(await ordersOfSignal('tv-signal-0007')).toHaveLength(1);
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

  async function signingKey(body: Record<string, unknown> = {}) {
    const admin = await stack.login();
    const trader = await stack.userWithRole('trader');
    const created = await stack.request('/api-keys', {
      method: 'POST',
      token: admin.accessToken,
      body: JSON.stringify({ name: 'tradingview', userId: trader.id, scopes: ['trade'], webhookSigning: true, ...body }),
    });
    expect(created.status).toBe(201);
    const key = (await created.json()) as { id: string; prefix: string; webhookSecret: string };
    return { ...key, admin, trader };
  }

  it("record a signing key's last use, and refuse it once its user may no longer trade", async () => {
    const key = await signingKey();
    expect((await post(signal('tv-signal-0010'), { secret: key.webhookSecret, key: key.prefix })).status).toBe(201);
    const [used] = await stack.db.sql`select last_used_at, last_used_ip from api_keys where id = ${key.id}`;
    expect(used!.last_used_at).not.toBeNull();
    expect(used!.last_used_ip).toBe(TEST_IP);

    const demoted = await stack.request(`/users/${key.trader.id}`, { method: 'PATCH', token: key.admin.accessToken, body: JSON.stringify({ role: 'viewer' }) });
    expect(demoted.status).toBe(200);
    expect((await post(signal('tv-signal-0011'), { secret: key.webhookSecret, key: key.prefix })).status).toBe(401);
    await sealAudit(stack.db.sql);
    const [audited] = await stack.db.sql`select payload from audit_events where event_type = 'WEBHOOK_REJECTED' and payload->>'keyPrefix' = ${key.prefix}`;
    expect(audited!.payload).toMatchObject({ keyRefused: 'no-trade-scope' });
    expect(await stack.db.sql`select 1 from trades where signal_id = 'tv-signal-0011'`).toHaveLength(0);
  });

  it("refuse a key's signature from outside the key's CIDRs", async () => {
    const key = await signingKey({ cidrs: ['198.51.100.0/24'] });
    expect((await post(signal('tv-signal-0012'), { secret: key.webhookSecret, key: key.prefix })).status).toBe(401);
    expect((await post(signal('tv-signal-0013'), { secret: key.webhookSecret, key: key.prefix, ip: '198.51.100.7' })).status).toBe(201);
    expect(await stack.db.sql`select 1 from trades where signal_id = 'tv-signal-0012'`).toHaveLength(0);
  });

  it('refuse a copy sent while the first is still in flight: one trade, the copy audited as a replay', async () => {
    const body = signal('tv-signal-0014');
    const statuses = (await Promise.all([post(body), post(body), post(body)])).map((r) => r.status).sort();
    expect(statuses).toEqual([201, 409, 409]);
    await sealAudit(stack.db.sql);
    const audited = await stack.db.sql`select 1 from audit_events where event_type = 'WEBHOOK_REJECTED' and payload->>'signalId' = 'tv-signal-0014'`;
    expect(audited).toHaveLength(2);
    expect(await ordersOfSignal('tv-signal-0014')).toHaveLength(1);
  });

  it('let two accounts use the same signal id, each trading once', async () => {
    const key = await signingKey();
    // An account id of its own: its breaker and guard workflow ids are global to the shared Temporal
    // server, and this file runs once per broker project.
    const second = ownAccountId();
    await stack.db.sql`insert into accounts (id, name, capital_paise) values (${second}, ${second}, 100000000)`;
    await stack.db.sql`update users set account_id = ${second} where id = ${key.trader.id}`;
    expect((await post(signal('tv-shared-0015'))).status).toBe(201);
    const res = await post(signal('tv-shared-0015'), { secret: key.webhookSecret, key: key.prefix });
    // 201 when it filled within TRADE_ACK_WAIT_MS; 202 accepted when the new account's first trade is slower (a loaded machine)
    expect([201, 202]).toContain(res.status);
    const opened = async () => stack.db.sql`select account_id from trades where signal_id = 'tv-shared-0015' and status = 'OPEN' order by account_id`;
    await expect.poll(async () => (await opened()).map((t) => t.account_id), { timeout: 30_000 }).toEqual([second, stack.config.account.ACCOUNT_ID].sort());
  });
});
