import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type TestStack } from '../support/stack.ts';

let stack: TestStack;
let adminToken: string;
let patterns: { method: string; path: string }[];

beforeAll(async () => {
  stack = await startStack({
    noWorker: true,
    settings: { TRADE_ACK_WAIT_MS: '200', RECONCILIATION_RUN_WAIT_MS: '200', RATE_LIMIT_READ: '10000,100000,1000000,10000000', RATE_LIMIT_TRADING: '10000,100000,1000000,10000000', RATE_LIMIT_AUTH: '10000,100000,1000000,10000000' },
  });
  adminToken = (await stack.login()).accessToken;
  patterns = stack.app.routes.filter((r) => r.method !== 'ALL' && !r.path.endsWith('*')).map((r) => ({ method: r.method, path: r.path }));
});
afterAll(async () => stack?.stop());

const STACK_FRAME = /\bat [\w$.<>]+ \(?[^)\s]*:\d+:\d+\)?/;
const SQL_TEXT = /\b(select|insert|update|delete)\b[\s\S]{1,80}\b(from|into|set|where)\b/i;
const SECRETS = /password_hash|postgres:\/\/|\$2b\$\d\d\$|JWT_SECRET/;

const segment = fc.oneof(
  fc.constantFrom('..', '%2e%2e', '%00', '%', '😀', 'tabcdefghijklmno', '00000000-0000-0000-0000-000000000000', '192.0.2.1', 'NSE', '2026', "'; drop table trades; --"),
  fc.string({ maxLength: 30 }),
  fc.string({ minLength: 200, maxLength: 400 }),
);

const jsonBody = fc.oneof(
  fc.json({ maxDepth: 3 }),
  fc.record({
    symbol: fc.oneof(fc.constant('RELIANCE'), fc.string({ maxLength: 40 })),
    side: fc.oneof(fc.constantFrom('BUY', 'SELL'), fc.string()),
    quantity: fc.oneof(fc.integer(), fc.double(), fc.constant(-1), fc.constant(1e308), fc.string()),
    orderType: fc.constantFrom('MARKET', 'LIMIT', 'STOP', ''),
    price: fc.oneof(fc.double(), fc.constant(2450.505), fc.constant(null)),
    __proto__: fc.json(),
  }).map((o) => JSON.stringify(o)),
  fc.constantFrom('{', '{"a":', 'null', '[]', '"x"', '{"__proto__":{"admin":true}}', '{"username":"admin","password":"' + 'p'.repeat(300) + '"}'),
);

const request = fc.record({
  route: fc.oneof(
    fc.nat().map((i) => patterns[i % patterns.length]!),
    fc.record({ method: fc.constantFrom('GET', 'POST', 'PUT', 'PATCH', 'DELETE'), path: fc.array(segment, { maxLength: 4 }).map((s) => `/${s.map(encodeURIComponent).join('/')}`) }),
  ),
  params: fc.array(segment, { minLength: 3, maxLength: 3 }),
  body: fc.option(jsonBody, { nil: undefined }),
  authenticated: fc.boolean(),
  headers: fc.dictionary(fc.constantFrom('idempotency-key', 'x-api-key', 'x-signature', 'x-signature-timestamp', 'x-forwarded-for', 'content-type', 'authorization'), fc.string({ maxLength: 80 }), { maxKeys: 3 }),
});

describe('fuzzing every route', () => {
  it('never answers 5xx, and every error is problem+json without stack traces, SQL or secrets', async () => {
    await fc.assert(
      fc.asyncProperty(request, async ({ route, params, body, authenticated, headers }) => {
        let i = 0;
        const path = route.path.replace(/:[a-z]+/g, () => encodeURIComponent(params[i++ % params.length]!));
        const h = new Headers();
        for (const [k, v] of Object.entries(headers)) {
          try {
            h.set(k, v);
          } catch {
            // not a valid header value: the client could not have sent it
          }
        }
        if (authenticated) h.set('authorization', `Bearer ${adminToken}`);
        const res = await stack.request(path, { method: route.method, headers: h, ...(body !== undefined && route.method !== 'GET' ? { body } : {}) });
        const text = await res.text();
        // 503 is /health/ready's answer while a part is not ready (its contract, not a fault).
        if (!(route.path === '/health/ready' && res.status === 503)) expect(res.status, `${route.method} ${path}`).toBeLessThan(500);
        if (res.status >= 400) {
          expect(res.headers.get('content-type'), `${route.method} ${path}`).toContain('application/problem+json');
          const problem = JSON.parse(text) as { status: number; type: string; title: string };
          expect(problem.status).toBe(res.status);
          expect(typeof problem.type).toBe('string');
        }
        expect(text).not.toMatch(STACK_FRAME);
        expect(text).not.toContain('"stack"');
        // the console's own scripts are source code, where words like "update ... set" are just code
        const script = /javascript|css/.test(res.headers.get('content-type') ?? '');
        if (!script) expect(text).not.toMatch(SQL_TEXT);
        expect(text).not.toMatch(SECRETS);
      }),
      { numRuns: 1000, seed: 20261127 },
    );
  });
});

describe('text that is not Unicode', () => {
  it('a lone surrogate in a JSON body is a 400 problem and changes nothing', async () => {
    const token = (await stack.login()).accessToken; // the fuzzing may have logged the first session out
    const [admin] = await stack.db.sql<{ id: string }[]>`select id from users where username = ${stack.config.security.ADMIN_USERNAME}`;
    // "\ud800" is valid JSON but no character: PostgreSQL refuses it in jsonb (the audit payload).
    const body = `{"name":"algo \\ud800","userId":"${admin!.id}","scopes":["read"]}`;
    const res = await stack.request('/api-keys', { method: 'POST', token, body });
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(((await res.json()) as { errors: { pointer: string }[] }).errors[0]!.pointer).toBe('/name');
    expect(await stack.db.sql`select 1 from api_keys where name like 'algo %'`).toHaveLength(0);
    // A well-formed pair (an emoji written as two escapes) is fine.
    const emoji = await stack.request('/api-keys', { method: 'POST', token, body: body.replace('\\ud800', '\\ud83d\\ude00') });
    expect(emoji.status).toBe(201);
  });
});
