import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type TestStack } from '../support/stack.ts';

let stack: TestStack;

beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => stack?.stop());

describe('console and monitoring routes', () => {
  it('refuses the monitoring reads without a token', async () => {
    for (const path of ['/monitoring/metrics', '/monitoring/alerts', '/monitoring/pnl']) expect((await stack.request(path)).status).toBe(401);
  });

  it('serves the console under the strict CSP, with only its own files', async () => {
    const page = await stack.request('/');
    expect(page.headers.get('content-type')).toContain('text/html');
    const csp = page.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("style-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    const html = await page.text();
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/); // no inline script
    expect(html).not.toMatch(/<style|style="/); // no inline style
    expect((await stack.request('/console.js')).headers.get('content-type')).toContain('javascript');
    expect((await stack.request('/console.css')).headers.get('content-type')).toContain('text/css');
    expect((await stack.request('/console/panels.js')).headers.get('content-type')).toContain('javascript');
    expect((await stack.request('/console/..%2Fconsole.css')).status).toBe(404);
    expect((await stack.request('/console/routes.ts')).status).toBe(404);
  });
});
