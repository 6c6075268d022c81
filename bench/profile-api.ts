/**
 * A CPU profile of the API under the load of bench/security.ts, one store at a time:
 * `node --import tsx bench/profile-api.ts [postgres|redis] [seconds]` writes
 * bench/results/profiles/api-<store>-<time>.cpuprofile (open it in Chrome DevTools or VS Code) of
 * the server while it serves the full-stack and middleware-only runs, and prints the benchmark.
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { startBenchInfra } from './infra.ts';
import { benchSecurity } from './security.ts';

const store = process.argv[2] === 'redis' ? 'redis' : 'postgres';
const seconds = Number(process.argv[3] ?? 5);
const dir = path.resolve('bench/results/profiles');
await mkdir(dir, { recursive: true });
const infra = await startBenchInfra();
try {
  const result = await benchSecurity(infra, { seconds, profile: dir, ...(store === 'redis' ? { redisUrl: 'redis://127.0.0.1:6379' } : {}) });
  console.log(JSON.stringify(result, null, 2));
} finally {
  await infra.stop();
}
process.exit(0);
