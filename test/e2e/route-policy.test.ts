import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { policyKey, ROUTE_POLICIES } from '../../src/api/policy.ts';
import { startStack, type TestStack } from '../support/stack.ts';

let stack: TestStack;
let viewer: string;

beforeAll(async () => {
  stack = await startStack();
  viewer = (await stack.userWithRole('viewer')).accessToken;
});
afterAll(async () => stack?.stop());

describe('route policies', () => {
  it('every registered route has a policy entry', () => {
    const routes = stack.app.routes.filter((r) => r.method !== 'ALL').map((r) => policyKey(r.method, r.path));
    expect(routes.filter((key) => !ROUTE_POLICIES[key])).toEqual([]);
  });

  // Regression: the docs router's bare .use() matched every path last, so the policy middleware
  // saw "/*" and checked no route's scope: anyone could read these, and a viewer could halt.
  it('refuses monitoring reads without a token, and a halt from a viewer', async () => {
    for (const path of ['/monitoring/metrics', '/monitoring/alerts', '/monitoring/pnl']) expect((await stack.request(path)).status).toBe(401);
    const halt = await stack.request('/risk/halt', { method: 'POST', token: viewer, body: JSON.stringify({ reason: 'not allowed' }) });
    expect(halt.status).toBe(403);
  });

  it('serves the console under the strict CSP, with only its own files', async () => {
    const page = await stack.request('/');
    expect(page.headers.get('content-security-policy')).toContain("style-src 'self';");
    expect(page.headers.get('content-security-policy')).not.toContain('unsafe-inline');
    expect((await stack.request('/console/panels.js')).headers.get('content-type')).toContain('javascript');
    expect((await stack.request('/console/..%2Fconsole.css')).status).toBe(404);
  });
});
