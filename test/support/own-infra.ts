/**
 * A PostgreSQL and a Temporal dev server of one test file's own, for fault drills: they can be
 * frozen (SIGSTOP), thawed (SIGCONT), killed (SIGKILL) and started again on the same port and
 * data, without disturbing the shared ones every other test file uses.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { inject } from 'vitest';
import { createSql } from '../../src/db/pool.ts';
import { migrate } from '../../src/db/migrate.ts';
import { type RunningPostgres, startEmbeddedPostgres } from '../../src/launcher/embedded-postgres.ts';
import { type RunningDevServer, startDevServer } from '../../src/launcher/temporal-dev-server.ts';
import type { TestDatabase } from './db.ts';
import { silentLogger } from './logger.ts';
import { freePort } from './ports.ts';

export interface Faultable {
  freeze(): void;
  thaw(): void;
  kill(): void;
  restart(): Promise<void>;
  stop(): Promise<void>;
}

/** Pids of `root` and its children (PostgreSQL's backends are the postmaster's children). */
function processTree(root: number): number[] {
  const children = readdirSync('/proc').filter((d) => /^\d+$/.test(d)).filter((pid) => {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === root;
    } catch {
      return false;
    }
  });
  return [root, ...children.map(Number)];
}

function signalAll(pids: number[], signal: NodeJS.Signals) {
  for (const pid of pids) {
    try {
      process.kill(pid, signal);
    } catch {
      // already gone
    }
  }
}

export async function ownPostgres(): Promise<Faultable & { database: TestDatabase }> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'bt-faults-pg-'));
  const port = await freePort();
  let running: RunningPostgres = await startEmbeddedPostgres({ dataDir, port, fast: true });
  const postmaster = () => Number(readFileSync(path.join(dataDir, 'postgres', 'postmaster.pid'), 'utf8').split('\n')[0]);
  const admin = createSql(running.adminUrl, { max: 1, idleTimeoutS: 5, connectTimeoutS: 10, statementTimeoutMs: 0, applicationName: 'test-migrate' });
  await migrate(admin, silentLogger, { appRole: running.appRole });
  await admin.end();
  const options = { max: 10, idleTimeoutS: 10, connectTimeoutS: 10, statementTimeoutMs: 30_000, applicationName: 'test' };
  const database: TestDatabase = {
    name: 'breeze',
    sql: createSql(running.appUrl, options),
    admin: createSql(running.adminUrl, { ...options, max: 2 }),
    url: running.appUrl,
    adminUrl: running.adminUrl,
    async drop() {
      await database.sql.end({ timeout: 5 });
      await database.admin.end({ timeout: 5 });
    },
  };
  let frozen: number[] = [];
  return {
    database,
    freeze() {
      frozen = processTree(postmaster());
      signalAll(frozen, 'SIGSTOP');
    },
    thaw() {
      signalAll(frozen, 'SIGCONT');
    },
    kill() {
      signalAll(processTree(postmaster()), 'SIGKILL');
    },
    async restart() {
      running = await startEmbeddedPostgres({ dataDir, port, fast: true });
    },
    stop: () => running.stop(),
  };
}

export async function ownTemporal(): Promise<Faultable & { address: string }> {
  const dbFile = path.join(mkdtempSync(path.join(tmpdir(), 'bt-faults-temporal-')), 'temporal.sqlite');
  const port = await freePort();
  const start = () => startDevServer({ binary: inject('temporalCli'), port, namespace: 'default', dbFile, fast: true });
  let server: RunningDevServer = await start();
  const pid = () => server.process.pid!;
  return {
    address: server.address,
    freeze: () => signalAll(processTree(pid()), 'SIGSTOP'),
    thaw: () => signalAll(processTree(pid()), 'SIGCONT'),
    kill: () => signalAll(processTree(pid()), 'SIGKILL'),
    async restart() {
      server = await start();
    },
    stop: () => server.stop(),
  };
}
