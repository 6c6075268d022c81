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
import { startBenchInfra } from './infra.ts';
import { benchPositions } from './positions.ts';
import { benchRateLimit } from './rate-limit.ts';
import { benchSecurity } from './security.ts';
import { benchTrading } from './trading.ts';

// `npm run bench -- trading --profile`: CPU profiles and statement counts of the trading run
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
  machine: { cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model, memoryGiB: Math.round(os.totalmem() / 2 ** 30), node: process.version },
};
try {
  if (wanted('audit')) results.audit = await benchAudit(infra);
  if (wanted('security')) {
    results.security = { postgres: await benchSecurity(infra), redis: await benchSecurity(infra, { redisUrl: 'redis://127.0.0.1:6379' }).catch((err: unknown) => ({ skipped: String(err) })) };
  }
  if (wanted('ratelimit')) {
    results.rateLimit = { postgres: await benchRateLimit(infra), redis: await benchRateLimit(infra, { redisUrl: 'redis://127.0.0.1:6379' }).catch((err: unknown) => ({ skipped: String(err) })) };
  }
  if (wanted('trading')) results.trading = await benchTrading(infra, { profile });
  if (wanted('backup')) results.backup = await benchBackup();
  if (wanted('positions')) results.positions = await benchPositions(infra);
} finally {
  await infra.stop();
}
const out = path.resolve('bench/results');
await mkdir(out, { recursive: true });
await writeFile(path.join(out, 'latest.json'), `${JSON.stringify(results, null, 2)}\n`);
console.log(JSON.stringify(results, null, 2));
process.exit(0);
