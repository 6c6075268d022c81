/**
 * 10,000 held positions (issue 17): open BENCH_POSITIONS trades (default 10,000) over many
 * accounts, each with a stop-loss resting at the broker, and hold them while 500 instruments tick
 * at 1,000 ticks a second in all. The worker runs in a child process (positions-worker.ts) so its
 * memory and CPU are its own. Measured: the worker's RSS, its CPU while idle (held positions, no
 * ticks) in % of one core, and the time from a tick to the watcher's stop decision (the worker's
 * `tick_to_exit_decision_seconds`, from the tick's own time) while the others tick.
 *
 * The broker is the paper exchange: Breeze allows 10 order actions a second
 * (BROKER_MAX_ORDERS_PER_SECOND), so 10,000 entries and their 10,000 stops would take over half
 * an hour to place; the paper exchange has no such limit and streams its prices through the same
 * price hub (LISTEN/NOTIFY instead of Socket.IO). Goals: RSS < 2 GB, idle < 10% of a core, p99
 * tick-to-decision < 50 ms.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { serve } from '@hono/node-server';
import { Client, Connection } from '@temporalio/client';
import pino from 'pino';
import { createApp } from '../src/api/app.ts';
import { createApiDeps } from '../src/api-process/create-api-deps.ts';
import { createBroker } from '../src/broker/create.ts';
import type { PaperExchange } from '../src/broker/paper/exchange.ts';
import { loadConfig } from '../src/config.ts';
import { loadOrCreateDevSecrets } from '../src/config/dev-secrets.ts';
import { ensureAccount } from '../src/db/accounts.ts';
import { NODE_FLAGS } from '../src/launcher/node-flags.ts';
import { createSql } from '../src/db/pool.ts';
import { insertUser } from '../src/db/users.ts';
import { type Instrument, instrumentKey } from '../src/domain/trade.ts';
import { PAPER_QUOTE_CHANNEL } from '../src/db/paper-quotes.ts';
import { ensureFirstAdmin } from '../src/security/first-admin.ts';
import { hashPassword } from '../src/security/passwords.ts';
import type { ThreadProfile } from './cpu-profile.ts';
import { goalRow } from './goals.ts';
import { type BenchInfra, load, percentiles, procCpuSeconds } from './infra.ts';
import { saveProfiles } from './profile-summary.ts';

const INSTRUMENTS = 500;
const TICKS_PER_SECOND = 1000;
/** A desk of traders: each account's book stays a few hundred positions. */
const ACCOUNTS = 40;
const PRICE = 100_00;
/** Stops rest 10% under the entry; the ticks wander within 2% of it, so none crosses by chance. */
const STOP_RUPEES = 90;
const TICK_SECONDS = Number(process.env.BENCH_POSITIONS_TICK_S ?? 30);
const IDLE_SECONDS = Number(process.env.BENCH_POSITIONS_IDLE_S ?? 30);
/** Instruments whose price is taken through their stops during the ticks (their positions exit). */
const CROSSINGS = 20;

const GiB = 2 ** 30;

type Quantiles = { count: number; p50Ms?: number; p99Ms?: number };

/** RSS and CPU seconds of a process, from /proc. */
function usage(pid: number): { rssBytes: number; cpuSeconds: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const rssKb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return { rssBytes: rssKb * 1024, cpuSeconds: procCpuSeconds(pid) ?? 0 };
}

/** Ask the worker child something over IPC and wait for the answer carrying `key`. */
function ask<T>(child: ChildProcess, message: string, key: string): Promise<T> {
  return new Promise((resolve) => {
    const on = (m: Record<string, unknown>) => {
      if (!(key in m)) return;
      child.off('message', on);
      resolve(m[key] as T);
    };
    child.on('message', on);
    child.send(message);
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** `profile`: CPU-profile every thread of the worker while the instruments tick (bench/profile-summary.ts). */
export async function benchPositions(infra: BenchInfra, options: { positions?: number; profile?: boolean } = {}) {
  const positions = options.positions ?? Number(process.env.BENCH_POSITIONS ?? 10_000);
  const perAccount = Math.ceil(positions / ACCOUNTS);
  const log = pino({ level: 'silent' });
  const env: Record<string, string> = {
    DATA_DIR: infra.dir,
    DATABASE_URL: infra.appUrl,
    TEMPORAL_ADDRESS: infra.temporalAddress,
    TEMPORAL_TASK_QUEUE: 'bench-positions',
    LOG_LEVEL: 'silent',
    MARKET_HOURS: 'always',
    PAPER_RANDOM_WALK: 'false',
    ACCOUNT_CAPITAL: '1000000000000',
    RISK_MAX_OPEN_POSITIONS: String(perAccount + 10),
    RISK_MAX_POSITION_QUANTITY: '100000000',
    RISK_MAX_CONCENTRATION: '1',
    RISK_MAX_ORDERS_PER_SECOND: '100000',
    RATE_LIMIT_TRADING: '1000000,10000000,100000000,1000000000',
    RATE_LIMIT_AUTH: '1000000,10000000,100000000,1000000000',
    // held positions take no activity slot (the exit book watches them): entries in flight and the accounts' daily-loss guards do
    WORKER_MAX_CONCURRENT_ACTIVITIES: '500',
    // the default: a held trade out of the cache replays its history when the book signals it
    WORKER_MAX_CACHED_WORKFLOWS: '1000',
    WORKER_MAX_CONCURRENT_WORKFLOW_TASKS: '100',
  };
  const config = loadConfig(env, { devSecrets: loadOrCreateDevSecrets });
  const sql = createSql(infra.appUrl, { max: 20, idleTimeoutS: 10, connectTimeoutS: 10, statementTimeoutMs: 0, applicationName: 'bench-positions' });
  const client = new Client({ connection: await Connection.connect({ address: infra.temporalAddress }) });
  const broker = createBroker(config, sql) as PaperExchange;
  const instruments: Instrument[] = Array.from({ length: INSTRUMENTS }, (_, i) => ({ symbol: `HOLD${i}`, exchange: 'NSE', product: 'CASH' }));
  for (const instrument of instruments) await broker.setQuote(instrument, PRICE);
  const passwordHash = await hashPassword('bench-trader-password', config.security.BCRYPT_COST);
  await ensureAccount(sql, config.account.ACCOUNT_ID, 1e14);
  for (let a = 0; a < ACCOUNTS; a++) {
    await ensureAccount(sql, `hold-${a}`, 1e14);
    await insertUser(sql, { username: `holder-${a}`, passwordHash, role: 'trader', accountId: `hold-${a}`, createdBy: 'bench' });
  }

  const child = fork(fileURLToPath(new URL('./positions-worker.ts', import.meta.url)), [], {
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    // the worker's own V8 flags, as every launcher passes them; BENCH_WORKER_NODE_FLAGS adds more (experiments)
    execArgv: [...NODE_FLAGS, '--import', 'tsx', ...(process.env.BENCH_CPU_PROF ? ['--cpu-prof', '--cpu-prof-dir', process.env.BENCH_CPU_PROF] : []), ...(process.env.BENCH_WORKER_NODE_FLAGS?.split(' ').filter(Boolean) ?? [])],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const pid = child.pid ?? 0;
  await ask(child, 'hello', 'ready');

  const deps = await createApiDeps(config, log, sql, client);
  await ensureFirstAdmin(sql, config, deps.audit, log);
  const server = serve({ fetch: createApp(deps).fetch, port: 0, hostname: '127.0.0.1' });
  await new Promise((r) => server.once('listening', r));
  const base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  try {
    const login = async (a: number) => {
      const res = await fetch(`${base}/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: `holder-${a}`, password: 'bench-trader-password' }) });
      return ((await res.json()) as { accessToken: string }).accessToken;
    };
    const tokens: string[] = [];
    for (let a = 0; a < ACCOUNTS; a++) tokens.push(await login(a));

    // open: many in flight over every account, each a MARKET entry with a stop that rests at the broker
    let refused = 0;
    let firstRefusal: string | undefined;
    const opened = await load(positions, 32, async (i) => {
      const account = i % ACCOUNTS;
      const key = randomUUID();
      const post = () =>
        fetch(`${base}/trades`, {
          method: 'POST',
          headers: { authorization: `Bearer ${tokens[account]}`, 'content-type': 'application/json', 'idempotency-key': key },
          body: JSON.stringify({ symbol: instruments[i % INSTRUMENTS]!.symbol, side: 'BUY', quantity: 1, orderType: 'MARKET', stopLoss: STOP_RUPEES }),
        });
      let res = await post();
      // access tokens live 15 minutes (ACCESS_TOKEN_TTL_S at most 900) and 10,000 entries take longer: log in again, as a client does
      if (res.status === 401) {
        tokens[account] = await login(account);
        res = await post();
      }
      const body = (await res.json()) as { status?: string };
      // 202: accepted, its outcome not known yet (the trade goes on; its stop is counted below)
      if (res.status !== 201 && res.status !== 202) {
        refused++;
        firstRefusal ??= `${res.status} ${JSON.stringify(body).slice(0, 300)}`;
      }
    });
    // held = its stop rests at the exchange (placed by the workflow after the fill)
    const resting = async () => Number((await sql<{ n: string }[]>`select count(*) as n from paper_orders where status = 'OPEN' and tag like '%S1'`)[0]?.n ?? 0);
    const waitFrom = performance.now();
    let held = await resting();
    while (held < positions - refused && performance.now() - waitFrom < Math.max(120_000, positions * 50)) {
      await sleep(1000);
      held = await resting();
    }
    const openSeconds = opened.seconds + (performance.now() - waitFrom) / 1000;
    await sleep(5000); // let the last placements settle into their watches

    // idle: held positions, no ticks
    const idleFrom = usage(pid);
    await sleep(IDLE_SECONDS * 1000);
    const idleTo = usage(pid);
    const idlePercent = Math.round(((idleTo.cpuSeconds - idleFrom.cpuSeconds) / IDLE_SECONDS) * 1000) / 10;
    // said as it is known: a long run that fails later still leaves these
    console.error(JSON.stringify({ positions: { held, refused, openSeconds: Math.round(openSeconds), idleCpuPercentOfCore: idlePercent, rssGiB: Math.round((idleTo.rssBytes / GiB) * 100) / 100 } }));

    // ticks: 1,000 a second over 500 instruments, a few of them taken through their stops meanwhile
    await ask(child, 'reset', 'reset');
    if (options.profile) await ask(child, 'profile-start', 'profiling');
    let rssMax = idleTo.rssBytes;
    let ticks = 0;
    let crossed = 0;
    const walk = new Map(instruments.map((i) => [i.symbol, PRICE]));
    const tickFrom = usage(pid);
    const started = performance.now();
    const end = started + TICK_SECONDS * 1000;
    const crossEvery = (TICK_SECONDS * 1000) / (CROSSINGS + 1);
    // a worker that ends mid-phase must fail this benchmark (below), not the whole bench process
    const sampler = setInterval(() => {
      if (child.exitCode === null) rssMax = Math.max(rssMax, usage(pid).rssBytes);
    }, 1000);
    // the first CROSSINGS instruments (held in any run) are taken through their stops; the rest tick
    const ticking = INSTRUMENTS - CROSSINGS;
    const tickable = (n: number) => instruments[CROSSINGS + n]!;
    // the market moves as a feed would: every 10 ms one statement sets that slice's prices and
    // announces them (the paper exchange's own channel, `at` = emission); a crossing goes through
    // the exchange's desk, as an operator's price does, so its resting stops see it too
    const emitBatch = async (count: number) => {
      const at = new Date().toISOString();
      const keys: string[] = [];
      const prices: number[] = [];
      const notices: string[] = [];
      for (let n = 0; n < count; n++) {
        const instrument = tickable(Math.floor(Math.random() * ticking));
        const price = Math.min(PRICE * 1.02, Math.max(PRICE * 0.98, walk.get(instrument.symbol)! + (Math.random() < 0.5 ? -5 : 5)));
        walk.set(instrument.symbol, price);
        notices.push(JSON.stringify({ instrument, lastPricePaise: price, at }));
      }
      // rows locked in one order by every batch: two batches in flight must not deadlock
      const last = new Map(instruments.filter((i) => walk.has(i.symbol)).map((i) => [instrumentKey(i), walk.get(i.symbol)!]));
      for (const key of [...new Set(notices.map((n) => instrumentKey((JSON.parse(n) as { instrument: Instrument }).instrument)))].sort()) {
        keys.push(key);
        prices.push(last.get(key)!);
      }
      await sql`
        with moved as (
          update paper_quotes q set last_price_paise = t.p, pinned = true, updated_at = ${at}
            from unnest(${keys}::text[], ${prices}::bigint[]) as t(k, p) where q.instrument_key = t.k returning 1)
        select pg_notify(${PAPER_QUOTE_CHANNEL}, n) from unnest(${notices}::text[]) as n`;
    };
    const inFlight: Promise<void>[] = [];
    /** The exchange's own time per crossing (pin, fill the resting stops, commit): before its tick's time, not in tick-to-decision. */
    const crossingMs: number[] = [];
    for (let now = performance.now(); now < end; now = performance.now()) {
      if (crossed < CROSSINGS && now - started >= (crossed + 1) * crossEvery) {
        const from = performance.now();
        inFlight.push(broker.setQuote(instruments[crossed++]!, (STOP_RUPEES - 2) * 100).then(() => void crossingMs.push(performance.now() - from)));
        ticks++;
      }
      const due = Math.floor(((now - started) / 1000) * TICKS_PER_SECOND) - ticks;
      if (due > 0) {
        ticks += due;
        inFlight.push(emitBatch(due));
      }
      if (inFlight.length > 50) await Promise.all(inFlight.splice(0));
      await sleep(10);
    }
    await Promise.all(inFlight);
    const tickSeconds = (performance.now() - started) / 1000;
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`the worker ended during the tick phase (exit ${child.exitCode ?? child.signalCode})`);
    const tickTo = usage(pid);
    clearInterval(sampler);
    const profile = options.profile ? await saveProfiles('positions', await ask<ThreadProfile[]>(child, 'profile-stop', 'profiles')) : undefined;
    await sleep(3000); // the last crossings' exits
    const latency = await ask<{ decision: Quantiles; exitOrder: Quantiles; mainThread: unknown }>(child, 'metrics', 'metrics');

    const rssGiB = Math.round((rssMax / GiB) * 100) / 100;
    const p99 = latency.decision.p99Ms ?? Infinity;
    const idleMet = idlePercent < 10;
    const decisionMet = latency.decision.count > 0 && p99 < 50;
    return {
      rows: [
        goalRow(`${positions} held positions: worker RSS`, `${rssGiB} GiB`, '< 2 GiB', rssMax < 2 * GiB),
        goalRow(`${positions} held positions: idle worker CPU`, `${idlePercent}% of a core`, '< 10%', idleMet),
        goalRow(`${positions} held positions: tick to stop decision, p50 / p99`, `${latency.decision.p50Ms ?? 'none'} / ${latency.decision.p99Ms ?? 'none'} ms`, 'p99 < 50 ms', decisionMet),
      ],
      positions,
      accounts: ACCOUNTS,
      held,
      refused,
      ...(firstRefusal ? { firstRefusal } : {}),
      openSeconds: Math.round(openSeconds),
      opensPerSecond: Math.round(positions / openSeconds),
      idleSeconds: IDLE_SECONDS,
      idleCpuPercentOfCore: idlePercent,
      ticking: {
        instruments: INSTRUMENTS,
        seconds: Math.round(tickSeconds),
        ticksPerSecond: Math.round(ticks / tickSeconds),
        crossedInstruments: crossed,
        exchangeCrossingMs: percentiles(crossingMs),
        cpuPercentOfCore: Math.round(((tickTo.cpuSeconds - tickFrom.cpuSeconds) / tickSeconds) * 1000) / 10,
      },
      workerRssGiB: rssGiB,
      // from the worker's histograms: as fine as their buckets (docs/monitoring.md#trader-latency)
      tickToDecision: latency.decision,
      tickToExitOrder: latency.exitOrder,
      // the worker's main thread while ticking: its event loop's delay, its garbage collections, its heap
      workerMainThread: latency.mainThread,
      ...(profile ? { profile } : {}),
      goals: { rss: 'worker RSS < 2 GiB', idle: 'idle worker < 10% of a core', tickToDecision: 'p99 tick to stop decision < 50 ms' },
      met: { rss: rssMax < 2 * GiB, idle: idleMet, tickToDecision: decisionMet },
    };
  } finally {
    child.send('stop');
    await new Promise((r) => (child.exitCode === null ? child.once('exit', r) : r(undefined)));
    server.close();
    await deps.close();
    await client.connection.close();
    await sql.end();
  }
}
