/**
 * `npm run bench`: every benchmark in one run on this machine, written to
 * bench/results/latest.json (and printed). Timing goals live here, never in tests.
 */
import { execSync } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { benchAudit } from './audit.ts';
import { benchBackup } from './backup.ts';
import { collectRows } from './goals.ts';
import { startBenchInfra } from './infra.ts';
import { benchPositions } from './positions.ts';
import { benchRateLimit } from './rate-limit.ts';
import { benchSecurity } from './security.ts';
import { benchTrading } from './trading.ts';

// `npm run bench -- trading --profile`: CPU profiles and statement counts of the trading run
// (`positions --profile`: of the worker while the instruments tick)
const profile = process.argv.includes('--profile');
const only = process.argv.slice(2).filter((a) => a !== '--profile');
const wanted = (name: string) => only.length === 0 || only.includes(name);

const infra = await startBenchInfra();
const results: Record<string, unknown> = {
  at: new Date().toISOString(),
  commit: (() => {
    try {
      return execSync('git rev-parse --short HEAD', { encoding: 'utf8' }).trim();
    } catch {
      return 'unknown';
    }
  })(),
  machine: { cpus: os.cpus().length, loadAverageAtStart: os.loadavg().map((l) => Math.round(l * 100) / 100), cpuModel: os.cpus()[0]?.model, memoryGiB: Math.round(os.totalmem() / 2 ** 30), node: process.version },
};
/** A benchmark that fails is reported as failed; the others still run and are written. */
const attempt = <T>(run: () => Promise<T>): Promise<T | { failed: string }> =>
  run().catch((err: unknown) => {
    console.error(err);
    return { failed: err instanceof Error ? err.message : String(err) };
  });
const REDIS_URL = 'redis://127.0.0.1:6379';
try {
  if (wanted('audit')) results.audit = await attempt(() => benchAudit(infra));
  if (wanted('security')) {
    results.security = { postgres: await attempt(() => benchSecurity(infra)), redis: await attempt(() => benchSecurity(infra, { redisUrl: REDIS_URL })) };
  }
  if (wanted('ratelimit')) {
    results.rateLimit = { postgres: await attempt(() => benchRateLimit(infra)), redis: await attempt(() => benchRateLimit(infra, { redisUrl: REDIS_URL })) };
  }
  if (wanted('trading')) results.trading = await attempt(() => benchTrading(infra, { profile }));
  if (wanted('backup')) results.backup = await attempt(() => benchBackup());
  if (wanted('positions')) results.positions = await attempt(() => benchPositions(infra, { profile }));
} finally {
  await infra.stop();
}
// every goal of this run in one table, first in the file (docs/benchmarks.md explains each)
const table = Object.values(results).flatMap(collectRows);
const written = { at: results.at, commit: results.commit, machine: results.machine, table, ...results };
const out = path.resolve('bench/results');
await mkdir(out, { recursive: true });
await writeFile(path.join(out, 'latest.json'), `${JSON.stringify(written, null, 2)}\n`);
console.log(JSON.stringify(written, null, 2));
console.table(table);
process.exit(0);
