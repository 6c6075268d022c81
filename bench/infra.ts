/**
 * What the benchmarks run against: an embedded PostgreSQL and a Temporal dev server of their own
 * (fast settings, a temporary directory), with the schema migrated. The same launcher code as
 * `npm start`, so the numbers are of the real parts.
 */
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { migrate } from '../src/db/migrate.ts';
import { createSql } from '../src/db/pool.ts';
import { startEmbeddedPostgres } from '../src/launcher/embedded-postgres.ts';
import { startDevServer } from '../src/launcher/temporal-dev-server.ts';
import { resolveTool, TEMPORAL_CLI } from '../src/launcher/tools.ts';

export interface BenchInfra {
  adminUrl: string;
  appUrl: string;
  temporalAddress: string;
  dir: string;
  /** The Temporal dev server's and the PostgreSQL postmaster's processes (for their CPU). */
  pids: { temporal: number; postgres: number };
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  const { createServer } = await import('node:net');
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

export async function startBenchInfra(): Promise<BenchInfra> {
  const dir = mkdtempSync(path.join(tmpdir(), 'bt-bench-'));
  chmodSync(dir, 0o755);
  const cli = resolveTool(TEMPORAL_CLI, process.env.TEMPORAL_CLI, () => {});
  const [pg, temporal] = await Promise.all([
    startEmbeddedPostgres({ dataDir: path.join(dir, 'pg'), port: await freePort(), fast: false }),
    startDevServer({ binary: cli.path, port: await freePort(), namespace: 'default', dbFile: path.join(dir, 'temporal.sqlite'), fast: process.env.BENCH_FAST_TEMPORAL === '1' }),
  ]);
  const admin = createSql(pg.adminUrl, { max: 1, idleTimeoutS: 5, connectTimeoutS: 10, statementTimeoutMs: 0, applicationName: 'bench' });
  await migrate(admin, pino({ level: 'silent' }), { appRole: pg.appRole });
  await admin.end();
  return {
    adminUrl: pg.adminUrl,
    appUrl: pg.appUrl,
    temporalAddress: temporal.address,
    dir,
    pids: { temporal: temporal.process.pid ?? 0, postgres: pg.process.pid ?? 0 },
    async stop() {
      await temporal.stop();
      await pg.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

const CLOCK_TICKS = 100; // USER_HZ: /proc/<pid>/stat counts CPU time in 1/100 s on Linux

/**
 * CPU seconds (user + system) of a process, every thread counted, or of one thread given its
 * /proc/<pid>/task/<tid> directory; from /proc. Undefined once gone.
 */
export function procCpuSeconds(pid: number, dir = `/proc/${pid}`): number | undefined {
  return statCpu(dir)?.own;
}

/**
 * From /proc/…/stat: `own`, utime + stime (the 14th and 15th fields), and `endedChildren`, cutime +
 * cstime (the 16th and 17th: its children that ended and were waited for); undefined once gone.
 */
function statCpu(dir: string): { own: number; endedChildren: number } | undefined {
  let stat: string;
  try {
    stat = readFileSync(`${dir}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // the fields after the command's closing parenthesis, from the 3rd on
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ').map(Number);
  return { own: (fields[11]! + fields[12]!) / CLOCK_TICKS, endedChildren: (fields[13]! + fields[14]!) / CLOCK_TICKS };
}

/** A thread of the Temporal SDK's core (Rust): its tokio runtime and the threads it names. */
const TEMPORAL_CORE_THREAD = /^(tokio-runtime|temporal-|workflow-proces)/;

/**
 * CPU seconds of this process so far, by thread: the main thread (the event loop: API, activities,
 * load generator), the Temporal SDK's core (Rust threads), and the others (the workflow sandbox's
 * worker thread, V8's helpers with the concurrent garbage collector, libuv's pool).
 */
export function threadCpuSeconds(): { main: number; temporalCore: number; otherThreads: number } {
  const split = { main: 0, temporalCore: 0, otherThreads: 0 };
  for (const tid of readdirSync(`/proc/${process.pid}/task`).map(Number)) {
    const dir = `/proc/${process.pid}/task/${tid}`;
    try {
      const seconds = procCpuSeconds(tid, dir) ?? 0;
      const part = tid === process.pid ? 'main' : TEMPORAL_CORE_THREAD.test(readFileSync(`${dir}/comm`, 'utf8')) ? 'temporalCore' : 'otherThreads';
      split[part] += seconds;
    } catch {
      // the thread ended between the listing and the read
    }
  }
  return split;
}

/**
 * CPU seconds used so far by the bench's Temporal dev server and by its PostgreSQL: the
 * postmaster, its live children (the backends, /proc/<pid>/task/<pid>/children) and those that
 * ended (the postmaster waits for them, so their time stays in its cutime and cstime): a pool
 * closing its connections between two readings no longer makes PostgreSQL's time go backwards.
 */
export function infraCpuSeconds(infra: BenchInfra): { temporal: number; postgres: number } {
  const postmaster = infra.pids.postgres;
  let children: number[] = [];
  try {
    children = readFileSync(`/proc/${postmaster}/task/${postmaster}/children`, 'utf8').split(' ').filter(Boolean).map(Number);
  } catch {
    // the server is gone
  }
  const sum = (pids: number[]) => pids.reduce((total, pid) => total + (procCpuSeconds(pid) ?? 0), 0);
  const server = statCpu(`/proc/${postmaster}`);
  return { temporal: sum([infra.pids.temporal]), postgres: (server ? server.own + server.endedChildren : 0) + sum(children) };
}

/** p50/p95/p99 of latencies in milliseconds. */
export function percentiles(latenciesMs: number[]): { p50: number; p95: number; p99: number; max: number } {
  const sorted = [...latenciesMs].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
  const r = (x: number) => Math.round(x * 10) / 10;
  return { p50: r(at(0.5)), p95: r(at(0.95)), p99: r(at(0.99)), max: r(sorted.at(-1) ?? 0) };
}

/** Run `task` `total` times with `concurrency` in flight; latencies of each run. */
export async function load(total: number, concurrency: number, task: (i: number) => Promise<void>): Promise<{ latencies: number[]; seconds: number }> {
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (let i = next++; i < total; i = next++) {
        const t = performance.now();
        await task(i);
        latencies.push(performance.now() - t);
      }
    }),
  );
  return { latencies, seconds: (performance.now() - started) / 1000 };
}
