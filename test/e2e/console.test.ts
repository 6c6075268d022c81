import type { AddressInfo } from 'node:net';
import { type ServerType, serve } from '@hono/node-server';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../support/browser.ts';
import { ownAccountId, startStack, type TestStack } from '../support/stack.ts';
import { Authenticator } from '../support/totp.ts';
import { enter, market } from '../support/trading.ts';

let stack: TestStack;
let server: ServerType;
let base: string;
let browser: Browser;
let page: Page;
const problems: string[] = [];
const reliance = { symbol: 'RELIANCE', exchange: 'NSE', product: 'CASH' } as const;

beforeAll(async () => {
  browser = await launchChromium();
  stack = await startStack({ settings: { ACCOUNT_ID: ownAccountId() } });
  server = serve({ fetch: stack.app.fetch, port: 0, hostname: '127.0.0.1' });
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  page = await browser.newPage();
  // A CSP violation or a script error shows up here: the console must run under the strict CSP.
  page.on('console', (m) => {
    if (m.type() === 'error' && !/status of 40[134]/.test(m.text())) problems.push(m.text());
  });
  page.on('pageerror', (e) => problems.push(e.message));
}, 600_000);

afterAll(async () => {
  await browser?.close();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  await stack?.stop();
});

describe('the operator console in a real browser', () => {
  it('logs in, shows a new position, halts and resumes trading from the page', async () => {
    await stack.login(); // the admin enrols its second factor (test/support/totp.ts)
    await page.goto(`${base}/`);
    await page.fill('#username', stack.config.security.ADMIN_USERNAME);
    await page.fill('#password', stack.config.security.ADMIN_PASSWORD);
    await page.click('#login-button');
    await page.locator('#otp').waitFor({ state: 'visible' });
    await page.fill('#otp', await stack.authenticator().code());
    await page.click('#login-button');
    await page.locator('#app').waitFor({ state: 'visible' });
    await expect.poll(() => page.textContent('[data-testid=trading-state]'), { timeout: 15_000 }).toBe('ACTIVE');
    await expect.poll(() => page.textContent('[data-testid=who]')).toContain('admin');

    // A trade placed through the API appears without touching the page.
    const trader = (await stack.userWithRole('trader')).accessToken;
    await stack.paper.setQuote(reliance, 245000);
    expect((await enter(stack, trader, market('RELIANCE'), 'console-0001')).status).toBe(201);
    await expect.poll(() => page.locator('[data-testid=position-symbol]').allTextContents(), { timeout: 20_000 }).toEqual(['RELIANCE']);
    const workflowLink = page.locator('#trades a').first();
    expect(await workflowLink.getAttribute('href')).toMatch(/\/namespaces\/default\/workflows\/trade-/);
    expect(await page.locator('#pnl-chart svg polyline').count()).toBe(1);
    // GET /backup/status (admin): no backup yet, so every scheduled kind shows stale.
    await expect.poll(() => page.textContent('[data-testid=backups] table')).toMatch(/daily.*stale/);

    // Halt from the page; the state changes on the page and behind it.
    await page.fill('#halt-reason', 'console test halt');
    await page.click('#halt-button');
    await expect.poll(() => page.textContent('[data-testid=trading-state]'), { timeout: 15_000 }).toBe('HALTED');
    expect(await page.textContent('#state-reason')).toContain('console test halt');
    const [account] = await stack.db.sql<{ state: string }[]>`select trading_state as state from accounts where id = ${stack.config.account.ACCOUNT_ID}`;
    expect(account?.state).toBe('HALTED');

    await page.click('#resume-button');
    await expect.poll(() => page.textContent('[data-testid=trading-state]'), { timeout: 15_000 }).toBe('ACTIVE');
    expect(problems).toEqual([]);
  });

  it('keeps the session across a reload and hides admin controls from a viewer', async () => {
    await page.reload();
    await page.locator('#app').waitFor({ state: 'visible' });
    await page.click('#logout');
    await page.locator('#login-panel').waitFor({ state: 'visible' });

    const viewer = await stack.userWithRole('viewer');
    await page.fill('#username', viewer.username);
    await page.fill('#password', viewer.password);
    await page.click('#login-button');
    await expect.poll(() => page.textContent('[data-testid=trading-state]'), { timeout: 15_000 }).toBe('ACTIVE');
    expect(await page.locator('#admin-controls').isHidden()).toBe(true);
    // 403 for a viewer where GET /backup/status exists (admin only); 404 where it is not deployed.
    await expect.poll(() => page.textContent('[data-testid=backups]'), { timeout: 15_000 }).toMatch(/admins only|unavailable/);
    expect(problems).toEqual([]);
  });

  it('walks an admin without a second factor through enrolment, then asks for the code at login', async () => {
    const admin = (await stack.login()).accessToken;
    const username = `admin-${Date.now().toString(36)}`;
    const password = `pw-${Math.random().toString(36).slice(2)}-console`;
    expect((await stack.request('/users', { method: 'POST', token: admin, body: JSON.stringify({ username, password, role: 'admin' }) })).status).toBe(201);
    await page.click('#logout');
    await page.locator('#login-panel').waitFor({ state: 'visible' });
    await page.fill('#username', username);
    await page.fill('#password', password);
    await page.click('#login-button');
    await page.locator('#enrolment').waitFor({ state: 'visible' });
    const app = new Authenticator((await page.textContent('#enrolment-secret'))!.trim(), stack.config.security.TOTP_DRIFT_STEPS);
    expect(await page.getAttribute('#enrolment-uri', 'href')).toMatch(/^otpauth:\/\/totp\//);
    expect((await page.textContent('#enrolment-codes'))!.trim().split('\n')).toHaveLength(10);
    await page.fill('#otp', await app.code());
    await page.click('#login-button');
    await expect.poll(() => page.textContent('[data-testid=who]'), { timeout: 15_000 }).toContain('admin');
    expect(await page.locator('#enrolment').isHidden()).toBe(true);

    await page.click('#logout');
    await page.locator('#login-panel').waitFor({ state: 'visible' });
    await page.fill('#username', username);
    await page.fill('#password', password);
    await page.click('#login-button');
    await expect.poll(() => page.textContent('#login-error'), { timeout: 15_000 }).toContain('send the code');
    await page.locator('#otp').waitFor({ state: 'visible' });
    await page.fill('#otp', await app.code());
    await page.click('#login-button');
    await expect.poll(() => page.textContent('[data-testid=who]'), { timeout: 15_000 }).toContain('admin');
    expect(problems).toEqual([]);
  });
});
