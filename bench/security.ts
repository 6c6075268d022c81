/**
 * The cost of the HTTP security stack: authenticated GET /risk/status through every middleware
 * (request id, secure headers, client address, block list, JWT, session check, policy, rate limit)
 * against a bare Hono JSON route on the same server, in one run, interleaved. Reported as requests
 * per second and their ratio. Goal: the full stack keeps at least half of the bare throughput.
 *
 * Only 2xx answers count as served: a run that got 401s or 429s would look fast and mean nothing
 * (an earlier Redis figure was all 401s), so the non-2xx answers are counted and reported, and a
 * run with any of them does not meet the goal. Besides the goal's route, `GET /bench/read` is the
 * bare route's handler behind the same middleware and policy (a read that touches no table):
 * what the middleware stack alone costs.
 *
 * `profile`: a directory where a CPU profile of the server during the full-stack runs is written
 * (bench/profile-api.ts).
 */
import { writeFile } from 'node:fs/promises';
import { Session } from 'node:inspector/promises';
import path from 'node:path';
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
import { ROUTE_POLICIES } from '../src/api/policy.ts';
import { ensureFirstAdmin } from '../src/security/first-admin.ts';
import { goalRow } from './goals.ts';
import type { BenchInfra } from './infra.ts';
import { type Authenticator, loginWithSecondFactor } from '../test/support/totp.ts';

/** The admin's authenticator, kept across runs: the second run's login must send its code. */
const authenticators = new Map<string, Authenticator>();

/** Requests per second that were answered 2xx, and every other answer counted. */
interface Served {
  perSecond: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  statusCodes: Record<string, number | undefined>;
}

function served(result: autocannon.Result): Served {
  const ok = result['2xx'];
  return { perSecond: ok / result.duration, non2xx: result.non2xx, errors: result.errors, timeouts: result.timeouts, statusCodes: Object.fromEntries(Object.entries(result.statusCodeStats ?? {}).map(([code, s]) => [code, s.count])) };
}

async function startProfile(): Promise<Session> {
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.start');
  return session;
}

function run(url: string, headers: Record<string, string>, seconds: number, connections: number): Promise<autocannon.Result> {
  return new Promise((resolve, reject) => {
    // In a worker thread: the load generator must not share the server's event loop.
    autocannon({ url, headers, duration: seconds, connections, pipelining: 1, workers: 1 }, (err, result) => (err ? reject(err) : resolve(result)));
  });
}

export async function benchSecurity(infra: BenchInfra, options: { seconds?: number; connections?: number; redisUrl?: string; profile?: string } = {}) {
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
  const app = createApp(deps);
  // The bare handler behind every middleware, with the policy of the API's reads.
  ROUTE_POLICIES['GET /bench/read'] = { access: 'read', rateClass: 'read' };
  app.get('/bench/read', (c) => c.json({ status: 'ok', tradingState: 'ACTIVE' }));
  root.route('/', app);
  const server = serve({ fetch: root.fetch, port: 0, hostname: '127.0.0.1' });
  await new Promise((r) => server.once('listening', r));
  const port = (server.address() as { port: number }).port;
  const base = `http://127.0.0.1:${port}`;
  try {
    const post = (path: string, body: unknown) => fetch(`${base}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    // The admin enrols a second factor at its first login (test/support/totp.ts).
    const login = await loginWithSecondFactor(post, config.security.ADMIN_USERNAME, config.security.ADMIN_PASSWORD, authenticators);
    if (login.status !== 200) throw new Error(`bench login failed: ${login.status} ${await login.text()}`);
    const { accessToken } = (await login.json()) as { accessToken: string };
    const auth = { authorization: `Bearer ${accessToken}` };
    await run(`${base}/bare`, {}, 2, connections); // warm-up
    await run(`${base}/risk/status`, auth, 2, connections);
    await run(`${base}/bench/read`, auth, 2, connections);
    const profile = options.profile ? await startProfile() : undefined;
    const rounds: { bare: Served; full: Served; middleware: Served }[] = [];
    for (let i = 0; i < 2; i++) {
      const bare = served(await run(`${base}/bare`, {}, seconds, connections));
      const full = served(await run(`${base}/risk/status`, auth, seconds, connections));
      const middleware = served(await run(`${base}/bench/read`, auth, seconds, connections));
      rounds.push({ bare, full, middleware });
    }
    if (profile && options.profile) {
      const { profile: cpu } = await profile.post('Profiler.stop');
      const file = path.join(options.profile, `api-${options.redisUrl ? 'redis' : 'postgres'}-${Date.now()}.cpuprofile`);
      await writeFile(file, JSON.stringify(cpu));
      profile.disconnect();
    }
    const mean = (pick: (r: (typeof rounds)[number]) => number) => rounds.reduce((s, r) => s + pick(r), 0) / rounds.length;
    const bare = mean((r) => r.bare.perSecond);
    const full = mean((r) => r.full.perSecond);
    const middleware = mean((r) => r.middleware.perSecond);
    const refused = rounds.reduce((s, r) => s + r.full.non2xx + r.full.errors + r.middleware.non2xx + r.middleware.errors + r.bare.non2xx + r.bare.errors, 0);
    const ratio = (x: number) => Math.round((x / bare) * 100) / 100;
    const goals = [{ goal: 'GET /risk/status through every middleware: ratio >= 0.5 of the bare route, every answer 2xx', ratio: ratio(full), met: full / bare >= 0.5 && refused === 0 }];
    const store = options.redisUrl ? 'redis' : 'postgres';
    return {
      rows: [goalRow(`Authenticated read through every middleware vs a bare route, 50 connections (${store === 'redis' ? 'Redis' : 'PostgreSQL'} store)`, String(ratio(full)), '>= 0.5', goals.every((g) => g.met))],
      store,
      connections,
      secondsPerRun: seconds,
      rounds,
      non2xxOrErrors: refused,
      bareRequestsPerSecond: Math.round(bare),
      fullStackRequestsPerSecond: Math.round(full),
      ratio: ratio(full),
      middlewareOnlyRequestsPerSecond: Math.round(middleware),
      middlewareOnlyRatio: ratio(middleware),
      goals,
      met: goals.every((g) => g.met),
    };
  } finally {
    server.close();
    await deps.close();
    await temporal.connection.close();
    await sql.end();
  }
}
