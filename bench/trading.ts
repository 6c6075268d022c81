/**
 * Trade entry latency and throughput on one Temporal dev server, in one run:
 * (a) the floor: update-with-start of a workflow with one no-op activity;
 * (b) POST /trades through the whole stack (HTTP, auth, policy, rate limit, update-with-start,
 *     the risk reservation, the paper exchange, the fill) until the entry is acknowledged.
 * Both at the same fixed concurrency. Goals: p99 of (b) within 2x of (a); at least 50 trades/s.
 */
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { serve } from '@hono/node-server';
import { Client, Connection, WithStartWorkflowOperation } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import pino from 'pino';
import { createApp } from '../src/api/app.ts';
import { createApiDeps } from '../src/api-process/create-api-deps.ts';
import { createAuditLog } from '../src/audit/append.ts';
import { createBroker, createBrokerStreams } from '../src/broker/create.ts';
import type { PaperExchange } from '../src/broker/paper/exchange.ts';
import { loadConfig } from '../src/config.ts';
import { loadOrCreateDevSecrets } from '../src/config/dev-secrets.ts';
import { ensureAccount } from '../src/db/accounts.ts';
import { createSql } from '../src/db/pool.ts';
import { insertUser } from '../src/db/users.ts';
import { ensureFirstAdmin } from '../src/security/first-admin.ts';
import { hashPassword } from '../src/security/passwords.ts';
import { createBrokerMetrics } from '../src/observability/broker-metrics.ts';
import { createMetrics } from '../src/observability/metrics.ts';
import { createTradingWorker } from '../src/worker/create-worker.ts';
import { histogramQuantiles } from './histogram.ts';
import { enterFloor } from './workflows/floor.ts';
import { type BenchInfra, load, percentiles } from './infra.ts';

const SYMBOLS = Array.from({ length: 40 }, (_, i) => `BENCH${i}`);
/** Trades spread over several accounts, as a desk with several traders: each book stays small. */
const ACCOUNTS = 20;

export async function benchTrading(infra: BenchInfra, options: { trades?: number; concurrency?: number } = {}) {
  const total = options.trades ?? 1000;
  const concurrency = options.concurrency ?? 20;
  const log = pino({ level: 'silent' });
  const config = loadConfig({
    // The bench run is one installation: every part logs in as the same first admin.
    DATA_DIR: infra.dir,
    DATABASE_URL: infra.appUrl,
    TEMPORAL_ADDRESS: infra.temporalAddress,
    TEMPORAL_TASK_QUEUE: 'bench-trading',
    LOG_LEVEL: 'silent',
    MARKET_HOURS: 'always',
    PAPER_RANDOM_WALK: 'false',
    ACCOUNT_CAPITAL: '1000000000000',
    RISK_MAX_OPEN_POSITIONS: '1000',
    RISK_MAX_POSITION_QUANTITY: '100000000',
    RISK_MAX_CONCENTRATION: '1',
    RISK_MAX_ORDERS_PER_SECOND: '100000',
    RATE_LIMIT_TRADING: '1000000,10000000,100000000,1000000000',
    RATE_LIMIT_AUTH: '1000000,10000000,100000000,1000000000',
    WORKER_MAX_CONCURRENT_WORKFLOW_TASKS: '100',
  }, { devSecrets: loadOrCreateDevSecrets });
  const sql = createSql(infra.appUrl, { max: 20, idleTimeoutS: 10, connectTimeoutS: 10, statementTimeoutMs: 0, applicationName: 'bench-trading' });
  const client = new Client({ connection: await Connection.connect({ address: infra.temporalAddress }) });
  const connection = await NativeConnection.connect({ address: infra.temporalAddress });
  await ensureAccount(sql, config.account.ACCOUNT_ID, 1e14);
  const broker = createBroker(config, sql) as PaperExchange;
  for (const s of SYMBOLS) await broker.setQuote({ symbol: s, exchange: 'NSE', product: 'CASH' }, 100_00);

  // (a) the floor
  const floorWorker = await Worker.create({
    connection,
    taskQueue: 'bench-floor',
    workflowsPath: fileURLToPath(new URL('./workflows/floor.ts', import.meta.url)),
    activities: { noop: async () => {} },
  });
  const floor = await floorWorker.runUntil(async () => {
    const call = () =>
      client.workflow.executeUpdateWithStart(enterFloor, {
        startWorkflowOperation: new WithStartWorkflowOperation('floorWorkflow', { workflowId: `floor-${randomUUID()}`, taskQueue: 'bench-floor', workflowIdConflictPolicy: 'USE_EXISTING' }),
      });
    await load(50, concurrency, () => call().then(() => undefined)); // warm-up
    return load(total, concurrency, () => call().then(() => undefined));
  });

  // (b) POST /trades through the whole stack
  const deps = await createApiDeps(config, log, sql, client);
  await ensureFirstAdmin(sql, config, deps.audit, log);
  const server = serve({ fetch: createApp(deps).fetch, port: 0, hostname: '127.0.0.1' });
  await new Promise((r) => server.once('listening', r));
  const base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  const streams = await createBrokerStreams(config, sql, broker, log);
  // the worker's trader-latency histograms (src/observability/trade-latency.ts), as it exports them
  const workerMetrics = createMetrics('worker');
  const brokerMetrics = createBrokerMetrics(workerMetrics.registry, broker.name);
  const worker = await createTradingWorker({ config, log, sql, connection, client, broker, prices: streams.prices, audit: createAuditLog(), brokerMetrics });
  const stack = await worker.runUntil(async () => {
    const passwordHash = await hashPassword('bench-trader-password', config.security.BCRYPT_COST);
    const tokens: string[] = [];
    for (let a = 0; a < ACCOUNTS; a++) {
      const accountId = `bench-${a}`;
      await ensureAccount(sql, accountId, 1e14);
      await insertUser(sql, { username: `trader-${a}`, passwordHash, role: 'trader', accountId, createdBy: 'bench' });
      const login = await fetch(`${base}/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: `trader-${a}`, password: 'bench-trader-password' }) });
      tokens.push(((await login.json()) as { accessToken: string }).accessToken);
    }
    let failures = 0;
    const enter = async (i: number) => {
      const res = await fetch(`${base}/trades`, {
        method: 'POST',
        headers: { authorization: `Bearer ${tokens[i % ACCOUNTS]}`, 'content-type': 'application/json', 'idempotency-key': randomUUID() },
        body: JSON.stringify({ symbol: SYMBOLS[i % SYMBOLS.length], side: 'BUY', quantity: 1, orderType: 'MARKET' }),
      });
      const body = (await res.json()) as { status?: string };
      if (res.status !== 201 || body.status !== 'OPEN') failures++;
    };
    await load(50, concurrency, enter); // warm-up
    workerMetrics.registry.getSingleMetric('trade_entry_to_broker_seconds')?.reset();
    failures = 0;
    const run = await load(total, concurrency, enter);
    return { ...run, failures };
  });
  server.close();
  await streams.prices.close();
  await deps.close();
  await connection.close();
  await client.connection.close();
  await sql.end();

  const floorP = percentiles(floor.latencies);
  const stackP = percentiles(stack.latencies);
  return {
    trades: total,
    concurrency,
    floor: { ...floorP, perSecond: Math.round(total / floor.seconds) },
    postTrades: { ...stackP, perSecond: Math.round(total / stack.seconds), notFilled: stack.failures },
    // from the worker's histogram: as fine as its buckets (docs/monitoring.md#trader-latency)
    entryToBroker: await histogramQuantiles(workerMetrics.registry, 'trade_entry_to_broker_seconds'),
    p99Ratio: Math.round((stackP.p99 / floorP.p99) * 100) / 100,
    goals: { p99Ratio: 'p99 of POST /trades <= 2x the floor', tradesPerSecond: '>= 50 trades/s' },
    met: { p99Ratio: stackP.p99 <= 2 * floorP.p99, tradesPerSecond: total / stack.seconds >= 50 },
  };
}
