/**
 * `npm start`'s launcher, as a newcomer meets it: from an empty DATA_DIR it starts embedded
 * PostgreSQL, the Temporal dev server, the worker and the API; a trade placed through the API
 * survives a full restart on the same data; a worker that dies is restarted; Ctrl-C stops it all.
 * And the single-process entries fail clearly on a bad setting or an unreachable PostgreSQL.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { networkInterfaces, tmpdir } from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { devSecretsFile } from '../../src/config/dev-secrets.ts';
import { freePort } from '../support/ports.ts';
import { type Authenticator, loginWithSecondFactor } from '../support/totp.ts';

interface Launched {
  child: ChildProcess;
  lines: () => Record<string, unknown>[];
  exited: Promise<number | null>;
}

let dataDir: string;
let ports: { api: number; pg: number; temporal: number; ui: number; workerMetrics: number };

beforeAll(async () => {
  dataDir = mkdtempSync(path.join(tmpdir(), 'bt-launch-'));
  ports = { api: await freePort(), pg: await freePort(), temporal: await freePort(), ui: await freePort(), workerMetrics: await freePort() };
});

function launch(script: string, env: Record<string, string>): Launched {
  const child = spawn(process.execPath, ['--import', 'tsx', path.resolve(script)], {
    env: { PATH: process.env.PATH, HOME: process.env.HOME, LOG_FORMAT: 'json', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    // A process group of its own, as a job started at a terminal has.
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
  return { child, lines, exited };
}

function launcher(): Launched {
  return launch('start.ts', {
    DATA_DIR: dataDir,
    PORT: String(ports.api),
    EMBEDDED_PG_PORT: String(ports.pg),
    TEMPORAL_PORT: String(ports.temporal),
    TEMPORAL_UI_PORT: String(ports.ui),
    TEMPORAL_CLI: inject('temporalCli'),
    WORKER_HTTP_PORT: String(ports.workerMetrics),
    MARKET_HOURS: 'always',
    WORKFLOW_BUNDLE_PATH: inject('workflowBundlePath'),
  });
}

const api = (p: string, init: RequestInit = {}) => fetch(`http://127.0.0.1:${ports.api}${p}`, init);

async function untilReady(l: Launched, timeoutMs = 120_000) {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (l.child.exitCode !== null) throw new Error(`launcher exited: ${JSON.stringify(l.lines().slice(-10))}`);
    try {
      if ((await api('/health/ready')).status === 200) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`not ready in time: ${JSON.stringify(l.lines().slice(-10))}`);
}

/** Ctrl-C at a terminal: SIGINT to the whole foreground process group, not just the launcher. */
async function stop(l: Launched) {
  process.kill(-l.child.pid!, 'SIGINT');
  return l.exited;
}

/** The first admin's password, as a newcomer finds it: generated into DATA_DIR by the first start. */
function adminPassword(): string {
  return (JSON.parse(readFileSync(devSecretsFile(dataDir), 'utf8')) as { ADMIN_PASSWORD: string }).ADMIN_PASSWORD;
}

/** The admin enrols a second factor at its first login (test/support/totp.ts). */
const authenticators = new Map<string, Authenticator>();
async function token() {
  const post = (path: string, body: unknown) => api(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const res = await loginWithSecondFactor(post, 'admin', adminPassword(), authenticators);
  return ((await res.json()) as { accessToken: string }).accessToken;
}

describe('npm start', () => {
  let tradeId: string;

  it('starts everything from an empty DATA_DIR, trades, restarts a dead worker and stops cleanly on Ctrl-C', async () => {
    const first = launcher();
    try {
      await untilReady(first);
      expect(first.lines().some((l) => String(l.msg).includes(devSecretsFile(dataDir)))).toBe(true);
      const auth = { authorization: `Bearer ${await token()}`, 'content-type': 'application/json' };
      await api('/paper/quotes', { method: 'POST', headers: auth, body: JSON.stringify({ symbol: 'ITC', price: 450 }) });
      const entry = await api('/trades', { method: 'POST', headers: { ...auth, 'idempotency-key': 'launcher-trade-1' }, body: JSON.stringify({ symbol: 'ITC', side: 'BUY', quantity: 5, orderType: 'MARKET' }) });
      expect(entry.status).toBe(201);
      const trade = (await entry.json()) as { id: string; status: string; workflowId: string; workflowUrl: string };
      expect(trade.status).toBe('OPEN');
      // The link opens the workflow in the UI of the dev server this launcher started.
      expect(trade.workflowUrl).toBe(`http://localhost:${ports.ui}/namespaces/default/workflows/${trade.workflowId}`);
      tradeId = trade.id;

      // One worker metrics port, on HOST (loopback by default), not on every interface: the
      // process's own metrics and the Temporal SDK's together.
      const workerMetrics = await (await fetch(`http://127.0.0.1:${ports.workerMetrics}/metrics`)).text();
      expect(workerMetrics).toContain('process_cpu_user_seconds_total');
      expect(workerMetrics).toMatch(/^temporal_\w+/m);
      const lan = Object.values(networkInterfaces()).flat().find((a) => a && a.family === 'IPv4' && !a.internal);
      if (lan) await expect(fetch(`http://${lan.address}:${ports.workerMetrics}/metrics`)).rejects.toThrow();

      // The worker dies; the launcher says so and brings it back.
      const started = first.lines().find((l) => l.child === 'worker' && typeof l.pid === 'number');
      process.kill(started!.pid as number, 'SIGKILL');
      const until = Date.now() + 60_000;
      while (Date.now() < until && first.lines().filter((l) => l.child === 'worker' && String(l.msg).includes('worker started')).length < 2) {
        await new Promise((r) => setTimeout(r, 200));
      }
      expect(first.lines().some((l) => l.child === 'worker' && String(l.msg).includes('exited unexpectedly'))).toBe(true);
      expect(first.lines().filter((l) => l.child === 'worker' && String(l.msg).includes('worker started'))).toHaveLength(2);
    } finally {
      expect(await stop(first)).toBe(0);
    }
    // In order: the worker and the API finish with Temporal and PostgreSQL before those stop.
    const at = (msg: string) => first.lines().findIndex((l) => String(l.msg) === msg);
    const [worker, apiStop, temporal, pg] = ['worker stopped', 'api stopped', 'Temporal dev server stopped', 'embedded PostgreSQL stopped'].map(at);
    expect(Math.min(worker!, apiStop!, temporal!, pg!)).toBeGreaterThanOrEqual(0);
    expect(Math.max(worker!, apiStop!)).toBeLessThan(temporal!);
    expect(temporal).toBeLessThan(pg!);
  }, 240_000);

  it('reuses the data on a second start: the trade and its workflow are still there', async () => {
    const second = launcher();
    try {
      await untilReady(second);
      const res = await api(`/trades/${tradeId}`, { headers: { authorization: `Bearer ${await token()}` } });
      expect(res.status).toBe(200);
      expect(((await res.json()) as { status: string }).status).toBe('OPEN');
      const client = new Client({ connection: await Connection.connect({ address: `127.0.0.1:${ports.temporal}` }) });
      const described = await client.workflow.getHandle(`trade-${tradeId}`).describe();
      expect(described.status.name).toBe('RUNNING');
      await client.connection.close();
    } finally {
      expect(await stop(second)).toBe(0);
    }
  }, 240_000);
});

describe('the single-process entries', () => {
  afterAll(() => undefined);

  it('exit non-zero with a message naming the variable on a bad setting', async () => {
    const api = launch('api.ts', { PORT: 'eighty', DATABASE_URL: 'postgres://x@127.0.0.1:1/x', TEMPORAL_ADDRESS: '127.0.0.1:1' });
    expect(await api.exited).not.toBe(0);
    expect(api.lines().map((l) => String(l.msg)).join('\n')).toMatch(/invalid configuration: PORT/);
  });

  it('exit non-zero with a clear message when PostgreSQL is down at start', async () => {
    const port = await freePort();
    const worker = launch('worker.ts', { DATABASE_URL: `postgres://breeze:secret@127.0.0.1:${port}/breeze`, TEMPORAL_ADDRESS: '127.0.0.1:1', DB_STARTUP_WAIT_S: '2', WORKER_HTTP_PORT: '0' });
    expect(await worker.exited).not.toBe(0);
    const text = worker.lines().map((l) => String(l.msg)).join('\n');
    expect(text).toMatch(new RegExp(`PostgreSQL at 127.0.0.1:${port}/breeze is not reachable`));
    expect(text).not.toContain('secret');
  });
});
