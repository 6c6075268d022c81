/**
 * `npm start` under faults, as an operator meets them: the embedded PostgreSQL or the Temporal dev
 * server killed under a running launcher comes back by itself with a log line, and no trade is
 * lost; a bad setting or a busy port ends the start at once with one line naming the setting; a
 * second copy with only another PORT_OFFSET runs beside the first.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { devSecretsFile } from '../../src/config/dev-secrets.ts';
import type { Logger } from '../../src/config/logger.ts';
import { CONFIG_ERROR_EXIT_CODE } from '../../src/config/startup-error.ts';
import { launcherPorts, portIsFree } from '../../src/launcher/preflight.ts';
import { Supervisor } from '../../src/launcher/supervisor.ts';
import { parseSettings } from '../support/config.ts';
import { type Authenticator, loginWithSecondFactor } from '../support/totp.ts';

interface Launched {
  child: ChildProcess;
  dataDir: string;
  apiPort: number;
  lines: () => Record<string, unknown>[];
  exited: Promise<number | null>;
}

/** A launcher as `npm start` runs it, in a process group of its own, on its own DATA_DIR. */
function launch(env: Record<string, string>): Launched {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'bt-faults-'));
  const settings = { DATA_DIR: dataDir, TEMPORAL_CLI: inject('temporalCli'), MARKET_HOURS: 'always', WORKFLOW_BUNDLE_PATH: inject('workflowBundlePath'), ...env };
  const child = spawn(process.execPath, ['--import', 'tsx', path.resolve('start.ts')], {
    env: { PATH: process.env.PATH, HOME: process.env.HOME, LOG_FORMAT: 'json', LOG_LEVEL: 'info', ...settings },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const lines = () =>
    out.split('\n').flatMap((l) => {
      try {
        return [JSON.parse(l) as Record<string, unknown>];
      } catch {
        return l.trim() ? [{ msg: l }] : [];
      }
    });
  return { child, dataDir, apiPort: parseSettings(settings).ports.PORT, lines, exited };
}

/**
 * A PORT_OFFSET that puts every port of a launch on a free one, below Linux's ephemeral range
 * (32768 and up), where the dev server's own random ports and outgoing connections never land.
 */
async function freeOffset(taken: number[] = []): Promise<number> {
  for (;;) {
    const offset = 2_000 + Math.floor(Math.random() * 21_000);
    const ports = launcherPorts(parseSettings({ PORT_OFFSET: String(offset) })).map((p) => p.port);
    if (ports.some((p) => taken.includes(p))) continue;
    if ((await Promise.all(ports.map((p) => portIsFree(p, '127.0.0.1')))).every(Boolean)) return offset;
  }
}

const api = (l: Launched, p: string, init: RequestInit = {}) => fetch(`http://127.0.0.1:${l.apiPort}${p}`, { ...init, signal: AbortSignal.timeout(5000) });
const messages = (l: Launched) => l.lines().map((line) => String(line.msg));

async function until(what: string, l: Launched, check: () => Promise<boolean> | boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (l.child.exitCode !== null) throw new Error(`launcher exited: ${JSON.stringify(l.lines().slice(-10))}`);
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`${what}: not within ${timeoutMs / 1000}s: ${JSON.stringify(l.lines().slice(-10))}`);
}

const ready = (l: Launched) => api(l, '/health/ready').then((r) => r.status === 200, () => false);

/** Ctrl-C at a terminal: SIGINT to the whole process group. */
async function stop(l: Launched) {
  if (l.child.exitCode === null) process.kill(-l.child.pid!, 'SIGINT');
  return l.exited;
}

/** The admin's authenticator per installation (DATA_DIR): it enrols at its first login there. */
const enrolled = new Map<string, Map<string, Authenticator>>();
function authenticators(dataDir: string): Map<string, Authenticator> {
  if (!enrolled.has(dataDir)) enrolled.set(dataDir, new Map());
  return enrolled.get(dataDir)!;
}

async function session(l: Launched) {
  const { ADMIN_PASSWORD } = JSON.parse(readFileSync(devSecretsFile(l.dataDir), 'utf8')) as { ADMIN_PASSWORD: string };
  const post = (path: string, body: unknown) => api(l, path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const login = await loginWithSecondFactor(post, 'admin', ADMIN_PASSWORD, authenticators(l.dataDir));
  const auth = { authorization: `Bearer ${((await login.json()) as { accessToken: string }).accessToken}`, 'content-type': 'application/json' };
  await api(l, '/paper/quotes', { method: 'POST', headers: auth, body: JSON.stringify({ symbol: 'ITC', price: 450 }) });
  let n = 0;
  return {
    async trade(): Promise<string> {
      const res = await api(l, '/trades', { method: 'POST', headers: { ...auth, 'idempotency-key': `faults-${l.apiPort}-${++n}` }, body: JSON.stringify({ symbol: 'ITC', side: 'BUY', quantity: 1, orderType: 'MARKET' }) });
      expect(res.status).toBe(201);
      const trade = (await res.json()) as { id: string; status: string };
      expect(trade.status).toBe('OPEN');
      return trade.id;
    },
    async status(id: string): Promise<string | undefined> {
      const res = await api(l, `/trades/${id}`, { headers: auth });
      return res.status === 200 ? ((await res.json()) as { status: string }).status : undefined;
    },
  };
}

/** The pid the launcher last logged for `server` (at start, or at its latest restart). */
function serverPid(l: Launched, name: string): number {
  const logged = l.lines().filter((line) => typeof line.pid === 'number' && (line.msg === `${name} running` || line.msg === `${name} restarted`));
  return logged.at(-1)!.pid as number;
}

describe('npm start under faults', () => {
  it('restarts a killed PostgreSQL and Temporal dev server by itself, keeps every trade, and runs beside a second copy on another PORT_OFFSET', async () => {
    const firstOffset = await freeOffset();
    const secondOffset = await freeOffset(launcherPorts(parseSettings({ PORT_OFFSET: String(firstOffset) })).map((p) => p.port));
    const first = launch({ PORT_OFFSET: String(firstOffset) });
    const second = launch({ PORT_OFFSET: String(secondOffset) });
    try {
      await Promise.all([until('first ready', first, () => ready(first), 180_000), until('second ready', second, () => ready(second), 180_000)]);
      const client = await session(first);
      const before = await client.trade();
      expect(await (await session(second)).trade()).toBeTruthy();

      for (const name of ['embedded PostgreSQL', 'Temporal dev server']) {
        process.kill(serverPid(first, name), 'SIGKILL');
        await until(`${name} death logged`, first, () => messages(first).some((m) => m.startsWith(`${name} exited unexpectedly`)), 10_000);
        // The bound: ready again within 90 s, with nobody's help.
        await until(`ready after ${name} died`, first, async () => messages(first).includes(`${name} restarted`) && (await ready(first)), 90_000);
        expect(await client.status(before)).toBe('OPEN');
        expect(await client.status(await client.trade())).toBe('OPEN');
      }
      // The worker and the API reconnected by themselves: neither was restarted.
      expect(messages(first).filter((m) => m.includes('exited unexpectedly'))).toHaveLength(2);
      expect(await ready(second)).toBe(true);
    } catch (err) {
      await Promise.all([stop(first), stop(second)]);
      throw err;
    }
    // Ctrl-C still stops each copy cleanly.
    expect(await Promise.all([stop(first), stop(second)])).toEqual([0, 0]);
  }, 420_000);

  it('stops at once on an ADMIN_PASSWORD that contains the user name: one line naming it, no restart', async () => {
    const offset = await freeOffset();
    const l = launch({ PORT_OFFSET: String(offset), ADMIN_PASSWORD: 'admin-passphrase-of-mine' });
    expect(await l.exited).toBe(78);
    const said = messages(l);
    expect(said).toEqual([expect.stringMatching(/ADMIN_PASSWORD: does not meet the password policy: must not contain the username/)]);
  });

  it('names the setting of a port in use before starting anything', async () => {
    const offset = await freeOffset();
    const busyPort = parseSettings({ PORT_OFFSET: String(offset) }).ports.WORKER_HTTP_PORT;
    const busy = createServer();
    await new Promise<void>((resolve) => busy.listen(busyPort, '127.0.0.1', resolve));
    try {
      const l = launch({ PORT_OFFSET: String(offset) });
      expect(await l.exited).toBe(78);
      expect(messages(l)).toEqual([`startup failed: invalid configuration: WORKER_HTTP_PORT: ${busyPort} is in use (set WORKER_HTTP_PORT or PORT_OFFSET)`]);
    } finally {
      busy.close();
    }
  });
});

describe('the supervisor', () => {
  it('does not restart a child that ends on a configuration error, and hands the decision to the launcher', async () => {
    const said: string[] = [];
    const log = { info: () => {}, warn: (_: unknown, m: string) => said.push(m), error: (_: unknown, m: string) => said.push(m) } as unknown as Logger;
    const stopped = new Promise<string>((resolve) => {
      new Supervisor(log, resolve).start({ name: 'api', command: process.execPath, args: ['-e', `process.exit(${CONFIG_ERROR_EXIT_CODE})`], env: {} });
    });
    expect(await stopped).toBe('api');
    expect(said).toEqual(['api stopped on a configuration error (above); not restarting it']);
  });
});
