import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/api/app.ts';
import { createSql } from '../../src/db/pool.ts';
import { ROUTE_POLICIES } from '../../src/api/policy.ts';
import { capturingLogger } from '../support/logger.ts';
import { freePort } from '../support/ports.ts';
import { startStack, type TestStack } from '../support/stack.ts';

let stack: TestStack;
beforeAll(async () => {
  stack = await startStack({ noWorker: true, settings: { BODY_LIMIT_BYTES: '2048' } });
});
afterAll(async () => stack?.stop());

describe('health', () => {
  it('answers liveness, and readiness naming the worker when none polls the task queue', async () => {
    expect(await (await stack.request('/health')).json()).toEqual({ status: 'ok' });
    // This stack runs no worker: PostgreSQL and Temporal answer, the trading would not.
    const ready = await stack.request('/health/ready');
    expect(ready.status).toBe(503);
    const body = (await ready.json()) as { checks: Record<string, { state: string }>; notReady: string[] };
    expect(Object.fromEntries(Object.entries(body.checks).map(([part, r]) => [part, r.state]))).toEqual({ postgres: 'ok', temporal: 'ok', worker: 'failed' });
    expect(body.notReady).toEqual(['worker']);
  });

  it('is not ready, naming the part, when PostgreSQL is down', async () => {
    const dead = createSql(`postgres://nobody:x@127.0.0.1:${await freePort()}/none`, { max: 1, idleTimeoutS: 1, connectTimeoutS: 1, statementTimeoutMs: 1000, applicationName: 'dead' });
    const app = createApp({ ...stack.deps, sql: dead });
    const res = await app.request('/health/ready', {}, { incoming: { socket: { remoteAddress: '127.0.0.1' } } });
    expect(res.status).toBe(503);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    const body = (await res.json()) as { checks: Record<string, { state: string }>; notReady: string[]; detail: string };
    expect(body.checks.postgres?.state).toBe('failed');
    expect(body.checks.temporal?.state).toBe('ok');
    expect(body.notReady).toContain('postgres');
    expect(body.detail).toContain('postgres');
    await dead.end();
  });
});

describe('errors', () => {
  it('are problem+json carrying the request id the log line also carries', async () => {
    const { log, lines } = capturingLogger();
    const app = createApp({ ...stack.deps, log });
    const res = await app.request('/trades/not-a-trade-id', { headers: { Authorization: 'Bearer x.y.z' } }, { incoming: { socket: { remoteAddress: '127.0.0.1' } } });
    expect(res.status).toBe(401);
    const body = (await res.json()) as { requestId: string; instance: string };
    expect(res.headers.get('x-request-id')).toBe(body.requestId);
    expect(body.instance).toBe(`urn:request:${body.requestId}`);
    expect(lines().some((l) => l.requestId === body.requestId)).toBe(true);
  });

  it('give a full audit chain walk its own, longer time limit than REQUEST_TIMEOUT_MS', async () => {
    const { accessToken } = await stack.login();
    // No request of this app can finish in a millisecond: the chain walk still runs to its end.
    const app = createApp({ ...stack.deps, config: { ...stack.config, http: { ...stack.config.http, REQUEST_TIMEOUT_MS: 1 } } });
    const get = (path: string) => app.request(path, { headers: { Authorization: `Bearer ${accessToken}` } }, { incoming: { socket: { remoteAddress: '127.0.0.1' } } });
    const verified = await get('/audit/verify');
    expect(verified.status).toBe(200);
    expect(((await verified.json()) as { ok: boolean }).ok).toBe(true);
  });

  it('answer an unknown route with a 404 problem', async () => {
    const res = await stack.request('/no/such/route');
    expect(res.status).toBe(404);
    expect(((await res.json()) as { type: string }).type).toBe('/problems/not-found');
  });

  it('refuse a body over the limit with 413, and malformed JSON with 400', async () => {
    const admin = await stack.login();
    const big = await stack.request('/risk/halt', { method: 'POST', token: admin.accessToken, body: JSON.stringify({ reason: 'x'.repeat(5000) }) });
    expect(big.status).toBe(413);
    const broken = await stack.request('/risk/halt', { method: 'POST', token: admin.accessToken, body: '{"reason": ' });
    expect(broken.status).toBe(400);
    expect(broken.headers.get('content-type')).toContain('application/problem+json');
  });

  it('list every invalid field with a JSON pointer', async () => {
    const trader = await stack.userWithRole('trader');
    const res = await stack.request('/trades', {
      method: 'POST',
      token: trader.accessToken,
      headers: { 'Idempotency-Key': 'bad-fields-0001' },
      body: JSON.stringify({ symbol: 'reliance', side: 'HOLD', quantity: -5, orderType: 'MARKET' }),
    });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { errors: { pointer: string }[] };
    expect(body.errors.map((e) => e.pointer).sort()).toEqual(['/quantity', '/side', '/symbol']);
  });

  it('never change anything when refused: a trade with a sub-paise price is not recorded', async () => {
    const trader = await stack.userWithRole('trader');
    const res = await stack.request('/trades', {
      method: 'POST',
      token: trader.accessToken,
      headers: { 'Idempotency-Key': 'sub-paise-0001' },
      body: JSON.stringify({ symbol: 'RELIANCE', side: 'BUY', quantity: 1, orderType: 'LIMIT', price: 2450.505 }),
    });
    expect(res.status).toBe(400);
    expect(await stack.db.sql`select 1 from trades`).toHaveLength(0);
  });
});

describe('the edge', () => {
  it('sends secure headers and no CORS headers unless configured', async () => {
    const res = await stack.request('/health', { headers: { Origin: 'https://evil.example' } });
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(res.headers.get('strict-transport-security')).toContain('max-age=');
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('sends the same headers through a Node server, a route keeping its own CSP', async () => {
    const server = serve({ fetch: stack.app.fetch, port: 0, hostname: '127.0.0.1' });
    await new Promise((resolve) => server.once('listening', resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const { accessToken } = await stack.login();
      const read = await fetch(`${base}/risk/status`, { headers: { authorization: `Bearer ${accessToken}`, 'x-request-id': 'console-42' } });
      expect(read.status).toBe(200);
      expect(read.headers.get('content-type')).toMatch(/^application\/json/);
      expect(read.headers.get('x-request-id')).toBe('console-42');
      expect(read.headers.get('x-content-type-options')).toBe('nosniff');
      expect(read.headers.get('x-frame-options')).toBe('SAMEORIGIN');
      expect(read.headers.get('strict-transport-security')).toBe('max-age=31536000; includeSubDomains');
      expect(read.headers.get('content-security-policy')).toContain("style-src 'self';");
      expect(read.headers.get('ratelimit-policy')).toContain('"burst"');
      expect(read.headers.get('ratelimit')).toMatch(/;r=\d+;t=\d+$/);
      // an id that is not plain text is replaced, never echoed
      const replaced = await fetch(`${base}/health`, { headers: { 'x-request-id': 'a b<script>' } });
      expect(replaced.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
      const refused = await fetch(`${base}/risk/status`);
      expect(refused.status).toBe(401);
      expect(refused.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(refused.headers.get('x-content-type-options')).toBe('nosniff');
      const docs = await fetch(`${base}/docs`);
      expect(docs.headers.get('content-security-policy')).toContain("style-src 'self' 'unsafe-inline'");
      expect(docs.headers.get('x-content-type-options')).toBe('nosniff');
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('allows only the configured CORS origins', async () => {
    const app = createApp({ ...stack.deps, config: { ...stack.config, http: { ...stack.config.http, CORS_ORIGINS: ['https://console.example'] } } });
    const env = { incoming: { socket: { remoteAddress: '127.0.0.1' } } };
    const allowed = await app.request('/health', { headers: { Origin: 'https://console.example' } }, env);
    expect(allowed.headers.get('access-control-allow-origin')).toBe('https://console.example');
    const other = await app.request('/health', { headers: { Origin: 'https://evil.example' } }, env);
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('publishes an OpenAPI document covering every route, and a docs page without inline scripts', async () => {
    const doc = (await (await stack.request('/openapi.json')).json()) as { paths: Record<string, Record<string, unknown>> };
    const documented = Object.entries(doc.paths).flatMap(([p, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${p.replace(/\{(\w+)\}/g, ':$1')}`));
    const undocumented = Object.keys(ROUTE_POLICIES).filter((r) => !r.includes('/docs') && r !== 'GET /openapi.json' && r !== 'GET /metrics' && !r.startsWith('GET /console') && r !== 'GET /' && !documented.includes(r));
    expect(undocumented).toEqual([]);
    const page = await stack.request('/docs');
    const html = await page.text();
    expect(html).not.toMatch(/<script>(?!<\/script>)/);
    // the page's own policy, not the API's: Swagger UI styles its elements from script
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(page.headers.get('content-security-policy')).toContain("style-src 'self' 'unsafe-inline'");
    expect((await stack.request('/docs/assets/swagger-ui-bundle.js')).status).toBe(200);
  });
});
