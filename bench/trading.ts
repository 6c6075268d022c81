/**
 * Trade entry latency and throughput on one Temporal dev server, in one run:
 * (a) the floor: update-with-start of a workflow with one no-op activity;
 * (b) POST /trades through the whole stack (HTTP, auth, policy, rate limit, update-with-start,
 *     the risk reservation, the paper exchange, the fill) until the entry is acknowledged.
 * Both at 1 in flight (latency alone) and at 20 in flight (under load), each in four alternating
 * rounds of (a) and (b) with both workers running. Goals, against the floor of the same run: at 1
 * in flight p50 <= 1.0x and p99 <= 1.2x; at 20 in flight throughput >= 0.8x and p99 <= 1.3x. The
 * statements sent to PostgreSQL during (b) at 20 in flight are counted per trade; with `profile`,
 * that run is one round of each and CPU-profiled (every thread).
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
import { applyWorkflowStackTraces, createTradingWorker } from '../src/worker/create-worker.ts';
import { startCpuProfile, type ThreadProfile } from './cpu-profile.ts';
import { goalRow } from './goals.ts';
import { histogramQuantiles } from './histogram.ts';
import { saveProfiles } from './profile-summary.ts';
import { enterFloor } from './workflows/floor.ts';
import { type BenchInfra, infraCpuSeconds, load, percentiles, threadCpuSeconds } from './infra.ts';

const SYMBOLS = Array.from({ length: 40 }, (_, i) => `BENCH${i}`);
/** Trades spread over several accounts, as a desk with several traders: each book stays small. */
const ACCOUNTS = 20;

export interface TradingOptions {
  /** Entries measured at 20 in flight (and for the floor at 20). */
  trades?: number;
  /** Entries measured one at a time: fewer, so that the whole run stays a few minutes. */
  tradesOneInFlight?: number;
  /** CPU-profile the 20-in-flight run of the stack and summarise it (bench/profile-summary.ts). */
  profile?: boolean;
}

const LOADED = 20;
/** Rounds of each at each concurrency. */
const ROUNDS = 4;
const ratio = (a: number, b: number) => Math.round((a / b) * 100) / 100;

/** CPU seconds so far: this process by thread, the Temporal dev server, PostgreSQL (bench/infra.ts). */
const cpuNow = (infra: BenchInfra) => ({ ...threadCpuSeconds(), ...infraCpuSeconds(infra) });
type Cpu = ReturnType<typeof cpuNow>;

/** One side's rounds so far: their latencies, seconds, entries and the CPU they cost. */
interface Rounds {
  latencies: number[];
  seconds: number;
  entries: number;
  cpu: Cpu;
}

const noRounds = (): Rounds => ({ latencies: [], seconds: 0, entries: 0, cpu: { main: 0, temporalCore: 0, otherThreads: 0, temporal: 0, postgres: 0 } });

/** Run one round of `n` entries and add it, with the CPU it cost, to `into`. */
async function measured(infra: BenchInfra, into: Rounds, n: number, round: () => Promise<{ latencies: number[]; seconds: number }>): Promise<void> {
  const before = cpuNow(infra);
  const { latencies, seconds } = await round();
  const after = cpuNow(infra);
  into.latencies.push(...latencies);
  into.seconds += seconds;
  into.entries += n;
  for (const k of Object.keys(into.cpu) as (keyof Cpu)[]) into.cpu[k] += after[k] - before[k];
}

/** The rounds' latencies and seconds, with CPU milliseconds per entry by part: where the two cores go. */
function withCpuPerEntry({ cpu, entries, ...rounds }: Rounds) {
  const perEntry = (seconds: number) => Math.round((seconds * 10_000) / entries) / 10;
  return { ...rounds, cpuMsPerEntry: Object.fromEntries(Object.entries(cpu).map(([k, v]) => [k, perEntry(v)])) as Record<keyof Cpu, number> };
}

export async function benchTrading(infra: BenchInfra, options: TradingOptions = {}) {
  const total = options.trades ?? 1000;
  const totalOne = options.tradesOneInFlight ?? 200;
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
    // as deployed unless the run says otherwise (an A/B of the SDK's stack capture)
    WORKER_WORKFLOW_STACK_TRACES: process.env.WORKER_WORKFLOW_STACK_TRACES,
  }, { devSecrets: loadOrCreateDevSecrets });
  // every statement the API and the worker send (they share this pool): one round trip each
  const statements = new Map<string, number>();
  let counting = false;
  const onStatement = (query: string) => {
    if (!counting) return;
    const key = query.replace(/\s+/g, ' ').trim().slice(0, 90);
    statements.set(key, (statements.get(key) ?? 0) + 1);
  };
  const sql = createSql(infra.appUrl, { max: 20, idleTimeoutS: 10, connectTimeoutS: 10, statementTimeoutMs: 0, applicationName: 'bench-trading', onStatement });
  const client = new Client({ connection: await Connection.connect({ address: infra.temporalAddress }) });
  const connection = await NativeConnection.connect({ address: infra.temporalAddress });
  await ensureAccount(sql, config.account.ACCOUNT_ID, 1e14);
  const broker = createBroker(config, sql) as PaperExchange;
  for (const s of SYMBOLS) await broker.setQuote({ symbol: s, exchange: 'NSE', product: 'CASH' }, 100_00);

  // (a) the floor, its workflow threads set up as the stack's (WORKER_WORKFLOW_STACK_TRACES)
  applyWorkflowStackTraces(config);
  const floorWorker = await Worker.create({
    connection,
    taskQueue: 'bench-floor',
    workflowsPath: fileURLToPath(new URL('./workflows/floor.ts', import.meta.url)),
    activities: { noop: async () => {} },
  });
  const floorCall = () =>
    client.workflow
      .executeUpdateWithStart(enterFloor, {
        startWorkflowOperation: new WithStartWorkflowOperation('floorWorkflow', { workflowId: `floor-${randomUUID()}`, taskQueue: 'bench-floor', workflowIdConflictPolicy: 'USE_EXISTING' }),
      })
      .then(() => undefined);

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
  const worker = await createTradingWorker({ config, log, sql, connection, client, broker, prices: streams.prices, paperOrderChanges: streams.paperOrderChanges, audit: createAuditLog(), brokerMetrics });
  const { floor, stack } = await floorWorker.runUntil(() =>
    worker.runUntil(async () => {
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
      const histogram = () => histogramQuantiles(workerMetrics.registry, 'trade_entry_to_broker_seconds');
      const resetHistogram = () => workerMetrics.registry.getSingleMetric('trade_entry_to_broker_seconds')?.reset();
      await load(50, LOADED, floorCall); // warm-up
      await load(50, LOADED, enter);

      /**
       * The floor and the stack in alternating rounds (floor first, then stack first, ...), so that
       * what else the machine does falls on both alike: run one after the other, the ratios moved
       * with the load of the minute each ran in (docs/benchmarks.md).
       */
      const alternate = async (count: number, concurrency: number, rounds: number, around: { before?: () => Promise<void> | void; after?: () => Promise<void> | void } = {}) => {
        failures = 0;
        resetHistogram();
        const runs = { floor: noRounds(), stack: noRounds() };
        const floorRound = (n: number) => measured(infra, runs.floor, n, () => load(n, concurrency, floorCall));
        const stackRound = async (n: number) => {
          await around.before?.();
          await measured(infra, runs.stack, n, () => load(n, concurrency, enter));
          await around.after?.();
        };
        for (let r = 0; r < rounds; r++) {
          const n = Math.round((count * (r + 1)) / rounds) - Math.round((count * r) / rounds);
          if (r % 2 === 0) {
            await floorRound(n);
            await stackRound(n);
          } else {
            await stackRound(n);
            await floorRound(n);
          }
        }
        return { floor: withCpuPerEntry(runs.floor), stack: { ...withCpuPerEntry(runs.stack), failures, entryToBroker: await histogram() } };
      };
      const one = await alternate(totalOne, 1, ROUNDS);
      // The profile covers the stack's rounds only: profiled, the 20-in-flight run is one round of each.
      let profiler: Awaited<ReturnType<typeof startCpuProfile>> | undefined;
      let profiles: ThreadProfile[] | undefined;
      const loaded = await alternate(total, LOADED, options.profile ? 1 : ROUNDS, {
        before: async () => {
          counting = true;
          if (options.profile) profiler = await startCpuProfile();
        },
        after: async () => {
          counting = false;
          profiles = await profiler?.stop();
        },
      });
      return { floor: { one: one.floor, loaded: loaded.floor }, stack: { one: one.stack, loaded: loaded.stack, profiles } };
    }),
  );
  server.close();
  await streams.prices.close();
  await streams.paperOrderChanges?.close();
  await deps.close();
  await connection.close();
  await client.connection.close();
  await sql.end();

  const floorOne = percentiles(floor.one.latencies);
  const floorLoaded = percentiles(floor.loaded.latencies);
  const stackOne = percentiles(stack.one.latencies);
  const stackLoaded = percentiles(stack.loaded.latencies);
  const floorPerSecond = total / floor.loaded.seconds;
  const stackPerSecond = total / stack.loaded.seconds;
  const row = (name: string, value: number, goal: string, met: boolean) => goalRow(name, `${value}x`, goal, met);
  const result = {
    rows: [
      row('Trade entry, 1 in flight: POST /trades p50 vs the floor', ratio(stackOne.p50, floorOne.p50), '<= 1.0x', stackOne.p50 <= floorOne.p50),
      row('Trade entry, 1 in flight: POST /trades p99 vs the floor', ratio(stackOne.p99, floorOne.p99), '<= 1.2x', stackOne.p99 <= 1.2 * floorOne.p99),
      row('Trade entry, 20 in flight: throughput vs the floor', ratio(stackPerSecond, floorPerSecond), '>= 0.8x', stackPerSecond >= 0.8 * floorPerSecond),
      row('Trade entry, 20 in flight: p99 vs the floor', ratio(stackLoaded.p99, floorLoaded.p99), '<= 1.3x', stackLoaded.p99 <= 1.3 * floorLoaded.p99),
    ],
    oneInFlight: {
      trades: totalOne,
      floor: { ...floorOne, perSecond: Math.round(totalOne / floor.one.seconds), cpuMsPerEntry: floor.one.cpuMsPerEntry },
      postTrades: { ...stackOne, perSecond: Math.round(totalOne / stack.one.seconds), notFilled: stack.one.failures, cpuMsPerEntry: stack.one.cpuMsPerEntry },
      // from the worker's histogram: as fine as its buckets (docs/monitoring.md#trader-latency)
      entryToBroker: stack.one.entryToBroker,
    },
    twentyInFlight: {
      trades: total,
      floor: { ...floorLoaded, perSecond: Math.round(floorPerSecond), cpuMsPerEntry: floor.loaded.cpuMsPerEntry },
      postTrades: { ...stackLoaded, perSecond: Math.round(stackPerSecond), notFilled: stack.loaded.failures, cpuMsPerEntry: stack.loaded.cpuMsPerEntry },
      entryToBroker: stack.loaded.entryToBroker,
      // statements the API and worker sent to PostgreSQL during the run, per trade
      statementsPerTrade: ratio([...statements.values()].reduce((a, b) => a + b, 0), total),
    },
  };
  if (!stack.profiles) return result;
  const threads = await saveProfiles('trading', stack.profiles);
  const topStatements = [...statements]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 30)
    .map(([statement, n]) => ({ perTrade: ratio(n, total), statement }));
  return { ...result, profile: { threads, topStatements } };
}
