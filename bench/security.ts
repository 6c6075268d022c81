/**
 * The cost of the HTTP security stack: authenticated GET /risk/status through every middleware
 * (request id, secure headers, client address, block list, JWT, session check, policy, rate limit)
 * against a bare Hono JSON route on the same server, in one run, interleaved. Reported as requests
 * per second and their ratio. Goal: the full stack keeps at least half of the bare throughput.
 */
import { serve } from '@hono/node-server';
import { Client, Connection } from '@temporalio/client';
import autocannon from 'autocannon';
import { Hono } from 'hono';
import pino from 'pino';
import { createApp } from '../src/api/app.ts';
import { createApiDeps } from '../src/api-process/create-api-deps.ts';
import { loadConfig } from '../src/config.ts';
import { loadOrCreateDevSecrets } from '../src/config/dev-secrets.ts';
import { ensureAccount } from '../src/db/accounts.ts';
import { createSql } from '../src/db/pool.ts';
import { ensureFirstAdmin } from '../src/security/first-admin.ts';
import type { BenchInfra } from './infra.ts';
import { loginWithSecondFactor } from '../test/support/totp.ts';

function run(url: string, headers: Record<string, string>, seconds: number, connections: number): Promise<autocannon.Result> {
  return new Promise((resolve, reject) => {
    // In a worker thread: the load generator must not share the server's event loop.
    autocannon({ url, headers, duration: seconds, connections, pipelining: 1, workers: 1 }, (err, result) => (err ? reject(err) : resolve(result)));
  });
}

export async function benchSecurity(infra: BenchInfra, options: { seconds?: number; connections?: number; redisUrl?: string } = {}) {
  const seconds = options.seconds ?? 8;
  const connections = options.connections ?? 50;
  const config = loadConfig({
    // The bench run is one installation: every part logs in as the same first admin.
    DATA_DIR: infra.dir,
    DATABASE_URL: infra.appUrl,
    TEMPORAL_ADDRESS: infra.temporalAddress,
    LOG_LEVEL: 'silent',
    MARKET_HOURS: 'always',
    RATE_LIMIT_READ: '1000000,10000000,100000000,1000000000',
    ...(options.redisUrl ? { REDIS_URL: options.redisUrl, REDIS_KEY_PREFIX: `bench-${Date.now()}:` } : {}),
  }, { devSecrets: loadOrCreateDevSecrets });
  const log = pino({ level: 'silent' });
  const sql = createSql(infra.appUrl, { max: 10, idleTimeoutS: 10, connectTimeoutS: 10, statementTimeoutMs: 0, applicationName: 'bench-api' });
  const temporal = new Client({ connection: await Connection.connect({ address: infra.temporalAddress }) });
  await ensureAccount(sql, config.account.ACCOUNT_ID, 50_000_000);
  const deps = await createApiDeps(config, log, sql, temporal);
  await ensureFirstAdmin(sql, config, deps.audit, log);
  const root = new Hono();
  root.get('/bare', (c) => c.json({ status: 'ok', tradingState: 'ACTIVE' }));
  root.route('/', createApp(deps));
  const server = serve({ fetch: root.fetch, port: 0, hostname: '127.0.0.1' });
  await new Promise((r) => server.once('listening', r));
  const port = (server.address() as { port: number }).port;
  const base = `http://127.0.0.1:${port}`;
  try {
    const post = (path: string, body: unknown) => fetch(`${base}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    // The admin enrols a second factor at its first login (test/support/totp.ts).
    const login = await loginWithSecondFactor(post, config.security.ADMIN_USERNAME, config.security.ADMIN_PASSWORD, new Map());
    const { accessToken } = (await login.json()) as { accessToken: string };
    const auth = { authorization: `Bearer ${accessToken}` };
    await run(`${base}/bare`, {}, 2, connections); // warm-up
    await run(`${base}/risk/status`, auth, 2, connections);
    const rounds = [];
    for (let i = 0; i < 2; i++) {
      const bare = await run(`${base}/bare`, {}, seconds, connections);
      const full = await run(`${base}/risk/status`, auth, seconds, connections);
      rounds.push({ bare: bare.requests.average, full: full.requests.average, fullErrors: full.non2xx + full.errors, fullP99Ms: full.latency.p99, bareP99Ms: bare.latency.p99 });
    }
    const bare = rounds.reduce((s, r) => s + r.bare, 0) / rounds.length;
    const full = rounds.reduce((s, r) => s + r.full, 0) / rounds.length;
    return {
      store: options.redisUrl ? 'redis' : 'postgres',
      connections,
      secondsPerRun: seconds,
      rounds,
      bareRequestsPerSecond: Math.round(bare),
      fullStackRequestsPerSecond: Math.round(full),
      ratio: Math.round((full / bare) * 100) / 100,
      goal: 'ratio >= 0.5',
      met: full / bare >= 0.5,
    };
  } finally {
    server.close();
    await deps.close();
    await temporal.connection.close();
    await sql.end();
  }
}
