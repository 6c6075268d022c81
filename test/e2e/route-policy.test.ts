import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { policyKey, ROUTE_POLICIES } from '../../src/api/policy.ts';
import { startStack, type TestStack, type Tokens } from '../support/stack.ts';
import { sealAudit } from '../../src/audit/seal.ts';

let stack: TestStack;
let viewer: Tokens;
let trader: Tokens;

beforeAll(async () => {
  stack = await startStack();
  viewer = await stack.userWithRole('viewer');
  trader = await stack.userWithRole('trader');
});
afterAll(async () => stack?.stop());

/** Every route the app serves (middleware entries excluded). */
function servedRoutes() {
  const seen = new Set<string>();
  for (const r of stack.app.routes) {
    if (r.method === 'ALL' || r.path.endsWith('*')) continue;
    seen.add(policyKey(r.method, r.path));
  }
  return [...seen];
}

/** A concrete path for a route pattern. */
const SAMPLES: Record<string, string> = { ':id': 'tabcdefghijklmno', ':ip': '192.0.2.1', ':file': 'swagger-ui.css', ':exchange': 'NSE', ':year': '2026' };
const concrete = (pattern: string) => pattern.replace(/:[a-z]+/g, (p) => SAMPLES[p] ?? 'x');

describe('the route policy table', () => {
  it('has an entry for every route the app serves, and none for routes that do not exist', () => {
    const served = servedRoutes();
    expect(served.length).toBeGreaterThan(20);
    expect(served.filter((r) => !ROUTE_POLICIES[r])).toEqual([]);
    expect(Object.keys(ROUTE_POLICIES).filter((r) => !served.includes(r))).toEqual([]);
  });

  it('refuses every protected route without credentials (401) and with too small a scope (403)', async () => {
    for (const key of servedRoutes()) {
      const policy = ROUTE_POLICIES[key]!;
      if (policy.access === 'public' || policy.access === 'signed') continue;
      const [method, pattern] = key.split(' ') as [string, string];
      const init = { method, ...(method === 'GET' ? {} : { body: '{}' }) };
      const anonymous = await stack.request(concrete(pattern), init);
      expect(anonymous.status, `${key} without credentials`).toBe(401);
      const weaker = policy.access === 'admin' ? trader : policy.access === 'trade' ? viewer : undefined;
      if (weaker) {
        const res = await stack.request(concrete(pattern), { ...init, token: weaker.accessToken });
        expect(res.status, `${key} with a smaller scope`).toBe(403);
        expect(res.headers.get('content-type')).toContain('application/problem+json');
      }
    }
  });

  it('lets the right role through', async () => {
    expect((await stack.request('/risk/status', { token: viewer.accessToken })).status).toBe(200);
    expect((await stack.request('/trades', { token: viewer.accessToken })).status).toBe(200);
    expect((await stack.request('/users', { token: (await stack.login()).accessToken })).status).toBe(200);
  });
});

describe('the IP allowlist', () => {
  it('keeps trading and admin routes to the allowed addresses, and lets reads through', async () => {
    const guarded = await startStack({ settings: { IP_ALLOWLIST: '10.1.0.0/16,2001:db8::/32' }, noWorker: true });
    try {
      const admin = await guarded.login();
      const create = (ip: string) => guarded.request('/risk/limits', { method: 'PUT', ip, token: admin.accessToken, body: JSON.stringify({ maxOpenPositions: 2 }) });
      expect((await create('203.0.113.9')).status).toBe(403);
      expect((await create('10.1.4.2')).status).toBe(200);
      expect((await create('::ffff:10.1.4.2')).status).toBe(200);
      expect((await create('2001:db8::7')).status).toBe(200);
      expect((await guarded.request('/risk/status', { ip: '203.0.113.9', token: admin.accessToken })).status).toBe(200);
      await sealAudit(guarded.db.sql);
      const denied = await guarded.db.sql`select 1 from audit_events where event_type = 'IP_DENIED' and client_ip = '203.0.113.9'`;
      expect(denied).toHaveLength(1);
    } finally {
      await guarded.stop();
    }
  });

  it('believes X-Forwarded-For only from a trusted proxy', async () => {
    const proxied = await startStack({ settings: { IP_ALLOWLIST: '10.1.0.0/16', TRUSTED_PROXIES: '172.16.0.0/12' }, noWorker: true });
    try {
      const admin = await proxied.login();
      const put = (ip: string, forwarded: string) =>
        proxied.request('/risk/limits', { method: 'PUT', ip, token: admin.accessToken, headers: { 'X-Forwarded-For': forwarded }, body: JSON.stringify({ maxOpenPositions: 2 }) });
      expect((await put('172.16.0.5', '10.1.2.3')).status).toBe(200);
      expect((await put('203.0.113.50', '10.1.2.3')).status).toBe(403);
      // A client cannot smuggle an allowed address in front of its own: the proxy appended the real one.
      expect((await put('172.16.0.5', '10.1.2.3, 203.0.113.77')).status).toBe(403);
    } finally {
      await proxied.stop();
    }
  });
});
