/**
 * What the benchmarks run against: an embedded PostgreSQL and a Temporal dev server of their own
 * (fast settings, a temporary directory), with the schema migrated. The same launcher code as
 * `npm start`, so the numbers are of the real parts.
 */
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
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
    async stop() {
      await temporal.stop();
      await pg.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
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
