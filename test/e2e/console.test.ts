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
  // 401/403/404 are panels a role cannot see; 422 is a refusal the ticket shows.
  page.on('console', (m) => {
    if (m.type() === 'error' && !/status of 4(0[134]|22)/.test(m.text())) problems.push(m.text());
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
    // GET /backup/status (admin): a new install is quiet, no backup is stale before its first run was due.
    await expect.poll(() => page.textContent('[data-testid=backups] table')).toMatch(/daily.*not due yet/);
    expect(await page.textContent('[data-testid=backups] table')).not.toContain('stale');

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

  it('trades a round trip from the ticket: a limit entry fills live, exits, and shows the P&L', async () => {
    const infy = { symbol: 'INFY', exchange: 'NSE', product: 'CASH' } as const;
    await stack.paper.setQuote(infy, 150000);
    const row = (symbol: string) => page.locator('#trades tr', { hasText: symbol }).first();
    const ticket = async (fields: Record<string, string>) => {
      for (const [id, value] of Object.entries(fields)) {
        if (id === 'type' || id === 'side') await page.selectOption(`#ticket-${id}`, value);
        else await page.fill(`#ticket-${id}`, value);
      }
      await page.click('#ticket-submit');
    };
    // A LIMIT BUY below the market rests; the fill arrives when the price comes down to it.
    await ticket({ symbol: 'INFY', side: 'BUY', quantity: '4', type: 'LIMIT', price: '1490', stop: '1400', target: '1600' });
    await expect.poll(() => page.textContent('[data-testid=ticket-result]'), { timeout: 20_000 }).toMatch(/BUY 4 INFY: (PENDING|OPEN)/);
    await expect.poll(() => row('INFY').locator('[data-testid=trade-status]').textContent(), { timeout: 20_000 }).toBe('PENDING');
    await expect.poll(() => page.textContent('[data-testid=orders]'), { timeout: 20_000 }).toContain('INFY');
    await stack.paper.setQuote(infy, 149000);
    await expect.poll(() => row('INFY').locator('[data-testid=trade-status]').textContent(), { timeout: 20_000 }).toBe('OPEN');
    // Every time on the page says its zone: "05 Dec 2026, 14:03:07 IST".
    expect(await row('INFY').locator('td').first().textContent()).toMatch(/^\d{2} [A-Z][a-z]{2} \d{4}, \d{2}:\d{2}:\d{2} IST$/);

    await stack.paper.setQuote(infy, 151000);
    await row('INFY').locator('[data-testid=exit-trade]').click();
    await expect.poll(() => row('INFY').locator('[data-testid=trade-status]').textContent(), { timeout: 30_000 }).toBe('CLOSED');
    await expect.poll(() => row('INFY').locator('[data-testid=trade-pnl]').textContent(), { timeout: 20_000 }).toMatch(/₹/);

    // The detail view: legs, fills, charges and the audit timeline.
    await row('INFY').locator('[data-testid=trade-details]').click();
    await expect.poll(() => page.textContent('[data-testid=detail-timeline]'), { timeout: 20_000 }).toContain('TRADE_');
    expect(await page.locator('#detail-fills tr').count()).toBeGreaterThanOrEqual(2);
    expect(await page.textContent('[data-testid=detail-charges]')).toMatch(/₹/);
    await page.click('#detail-close');

    // A working entry can be cancelled from its row.
    await ticket({ symbol: 'INFY', side: 'BUY', quantity: '2', type: 'LIMIT', price: '1480', stop: '', target: '' });
    await expect.poll(() => page.textContent('[data-testid=ticket-result]'), { timeout: 20_000 }).toMatch(/BUY 2 INFY: PENDING/);
    await expect.poll(() => row('INFY').locator('[data-testid=cancel-trade]').count(), { timeout: 20_000 }).toBe(1);
    await row('INFY').locator('[data-testid=cancel-trade]').click();
    await expect.poll(() => row('INFY').locator('[data-testid=trade-status]').textContent(), { timeout: 30_000 }).toBe('CANCELLED');

    // A refusal shows what was wrong, field by field.
    await ticket({ symbol: 'INFY', side: 'BUY', quantity: '1000000', type: 'MARKET' });
    await expect.poll(() => page.locator('[data-testid=violation]').count(), { timeout: 20_000 }).toBeGreaterThan(0);
    expect(await page.locator('[data-testid=violation]').first().textContent()).toMatch(/^[A-Z_]+: .+/);

    // Halt-and-flatten asks first; keeping the positions changes nothing.
    await page.check('#halt-flatten');
    await page.click('#halt-button');
    await page.locator('[data-testid=flatten-dialog]').waitFor({ state: 'visible' });
    await page.click('#flatten-cancel');
    await page.locator('[data-testid=flatten-dialog]').waitFor({ state: 'hidden' });
    await expect.poll(() => page.textContent('#control-message')).toContain('nothing changed');
    await page.uncheck('#halt-flatten');
    const [account] = await stack.db.sql<{ state: string }[]>`select trading_state as state from accounts where id = ${stack.config.account.ACCOUNT_ID}`;
    expect(account?.state).toBe('ACTIVE');
    expect(await page.textContent('[data-testid=trading-state]')).toBe('ACTIVE');

    // Tables fit their panels: the page itself never scrolls sideways.
    await page.setViewportSize({ width: 800, height: 900 });
    const fits = 'document.documentElement.scrollWidth <= document.documentElement.clientWidth';
    expect(await page.evaluate(fits)).toBe(true);
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
