/**
 * Benchmark of the application backup: generates at least a million audit and trade rows in a
 * scratch database, then measures backup (COPY → gzip → files), restore into a fresh database,
 * the full verification, and, for comparison on the same data, `pg_dump -Fc` and `pg_restore`.
 *
 * Uses the host's PostgreSQL on 127.0.0.1:5432 when it answers, so the host's pg_dump (same major
 * version) can run on the same database. Otherwise it starts embedded PostgreSQL and skips the
 * pg_dump comparison, saying so in the result. Not part of the test suite.
 *
 *   node --import tsx bench/backup.ts            prints the result as JSON
 *
 * @module
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { pathToFileURL } from 'node:url';
import pino from 'pino';
import { verifyChain } from '../src/audit/verify.ts';
import { writeBackup } from '../src/backup/create.ts';
import { restoreBackup } from '../src/backup/restore.ts';
import { createScratchDatabase, databaseUrl, type ScratchDatabase } from '../src/backup/scratch-db.ts';
import { verifyBackup } from '../src/backup/verify.ts';
import { loadConfig } from '../src/config.ts';
import { generateDevSecrets } from '../src/config/dev-secrets.ts';
import { migrate } from '../src/db/migrate.ts';
import { createSql } from '../src/db/pool.ts';
import { startEmbeddedPostgres } from '../src/launcher/embedded-postgres.ts';
import { generateBenchData } from './backup-data.ts';

const run = promisify(execFile);
const HOST_PG = 'postgres://postgres@127.0.0.1:5432/postgres';

export interface BackupBenchOptions {
  /** Audit events to generate (default 600 000). */
  auditEvents?: number;
  /** Trades to generate (default 400 000). */
  trades?: number;
  /** A superuser URL of the server to use; default the host's PostgreSQL, else embedded. */
  serverUrl?: string;
}

interface Timed {
  seconds: number;
  mbPerSecond: number;
}

export interface BackupBenchResult {
  benchmark: 'backup';
  at: string;
  server: { version: string; source: 'host' | 'embedded' | 'given' };
  rows: { auditEvents: number; trades: number; total: number };
  databaseBytes: number;
  appBackup: Timed & { copyTextBytes: number; fileBytes: number; compressionRatio: number };
  appRestore: Timed & { note: string };
  appChainVerify: { seconds: number; records: number };
  appVerification: { seconds: number; ok: boolean };
  pgDump: (Timed & { fileBytes: number }) | { skipped: string };
  pgRestore: Timed | { skipped: string };
  notes: string[];
}

const secondsSince = (start: bigint) => Number(process.hrtime.bigint() - start) / 1e9;
const mb = (bytes: number) => bytes / 1e6;

async function dbSize(url: string): Promise<number> {
  const sql = createSql(url, { max: 1, idleTimeoutS: 5, connectTimeoutS: 5, statementTimeoutMs: 0, applicationName: 'bench' });
  try {
    const [row] = await sql<{ n: number }[]>`select pg_database_size(current_database()) as n`;
    return row!.n;
  } finally {
    await sql.end({ timeout: 5 });
  }
}

async function reachable(url: string): Promise<string | undefined> {
  const sql = createSql(url, { max: 1, idleTimeoutS: 1, connectTimeoutS: 3, statementTimeoutMs: 0, applicationName: 'bench' });
  try {
    const [row] = await sql<{ v: string }[]>`select current_setting('server_version') as v`;
    return row?.v;
  } catch {
    return undefined;
  } finally {
    await sql.end({ timeout: 1 }).catch(() => undefined);
  }
}

export async function benchBackup(options: BackupBenchOptions = {}): Promise<BackupBenchResult> {
  const auditEvents = options.auditEvents ?? 600_000;
  const trades = options.trades ?? 400_000;
  const work = mkdtempSync(path.join(tmpdir(), 'bt-bench-backup-'));
  const log = pino({ level: 'silent' });
  const notes: string[] = [];
  const stops: (() => Promise<void>)[] = [];
  const scratch: ScratchDatabase[] = [];
  try {
    let serverUrl = options.serverUrl;
    let source: BackupBenchResult['server']['source'] = 'given';
    if (!serverUrl) {
      if (await reachable(HOST_PG)) {
        serverUrl = HOST_PG;
        source = 'host';
      } else {
        const pg = await startEmbeddedPostgres({ dataDir: path.join(work, 'pg'), port: 54_329, fast: true });
        stops.push(() => pg.stop());
        serverUrl = pg.adminUrl;
        source = 'embedded';
        notes.push('host PostgreSQL on 127.0.0.1:5432 did not answer: embedded PostgreSQL used, pg_dump comparison skipped (client and server major versions differ)');
      }
    }
    const version = (await reachable(serverUrl)) ?? 'unknown';
    const tag = randomBytes(3).toString('hex');
    const db = await createScratchDatabase(serverUrl, `bench_backup_${tag}`);
    scratch.push(db);
    await migrate(db.sql, log);

    await generateBenchData(db.sql, { auditEvents, trades });
    await db.sql`vacuum analyze`;
    const databaseBytes = await dbSize(databaseUrl(serverUrl, db.name));

    // Application backup.
    const config = loadConfig({ NODE_ENV: 'test', DATA_DIR: work }, { devSecrets: generateDevSecrets });
    const dir = path.join(work, 'backups', `manual-bench-${tag}`);
    let t = process.hrtime.bigint();
    const { manifest } = await writeBackup(db.sql, { id: `manual-bench-${tag}`, kind: 'manual', dir, config });
    const backupSeconds = secondsSince(t);

    // Application restore into a fresh database migrated to the backup's version.
    const target = await createScratchDatabase(serverUrl, `bench_restore_${tag}`);
    scratch.push(target);
    await migrate(target.sql, log, { upTo: manifest.schemaVersion });
    t = process.hrtime.bigint();
    await restoreBackup(target.sql, dir, manifest, { checkChain: false });
    const restoreSeconds = secondsSince(t);
    t = process.hrtime.bigint();
    const chain = await verifyChain(target.sql);
    const chainSeconds = secondsSince(t);
    if (!chain.ok) notes.push(`restored chain did not verify: ${JSON.stringify(chain.firstBadRecord)}`);

    t = process.hrtime.bigint();
    const report = await verifyBackup({ adminUrl: serverUrl, dir, manifest, log });
    const verifySeconds = secondsSince(t);

    // pg_dump / pg_restore of the same database, when the client tools match the server.
    let pgDump: BackupBenchResult['pgDump'] = { skipped: 'no host PostgreSQL' };
    let pgRestore: BackupBenchResult['pgRestore'] = { skipped: 'no host PostgreSQL' };
    if (source !== 'embedded') {
      try {
        const dumpFile = path.join(work, 'bench.dump');
        t = process.hrtime.bigint();
        await run('pg_dump', ['-Fc', '-f', dumpFile, '-d', databaseUrl(serverUrl, db.name)]);
        const dumpSeconds = secondsSince(t);
        const fileBytes = (await stat(dumpFile)).size;
        pgDump = { seconds: dumpSeconds, mbPerSecond: mb(manifest.totals.rawBytes) / dumpSeconds, fileBytes };
        const restored = await createScratchDatabase(serverUrl, `bench_pgrestore_${tag}`);
        scratch.push(restored);
        t = process.hrtime.bigint();
        await run('pg_restore', ['-d', databaseUrl(serverUrl, restored.name), dumpFile]);
        const pgRestoreSeconds = secondsSince(t);
        pgRestore = { seconds: pgRestoreSeconds, mbPerSecond: mb(manifest.totals.rawBytes) / pgRestoreSeconds };
      } catch (err) {
        const reason = err instanceof Error ? err.message.split('\n')[0]! : String(err);
        pgDump = { skipped: reason };
        pgRestore = { skipped: reason };
        notes.push(`pg_dump comparison failed: ${reason}`);
      }
    }
    notes.push('MB/s is uncompressed COPY text (megabytes of 10^6 bytes) per second, for every row of every table, on both sides of the comparison');
    notes.push('appRestore checks every file against its SHA-256 and loads into tables whose indexes and foreign keys are in place (every row checked as it loads, one transaction); pg_restore creates indexes and foreign keys after loading the data');

    return {
      benchmark: 'backup',
      at: new Date().toISOString(),
      server: { version, source },
      rows: { auditEvents, trades, total: auditEvents + trades },
      databaseBytes,
      appBackup: {
        seconds: backupSeconds,
        mbPerSecond: mb(manifest.totals.rawBytes) / backupSeconds,
        copyTextBytes: manifest.totals.rawBytes,
        fileBytes: manifest.totals.bytes,
        compressionRatio: manifest.totals.rawBytes / manifest.totals.bytes,
      },
      appRestore: { seconds: restoreSeconds, mbPerSecond: mb(manifest.totals.rawBytes) / restoreSeconds, note: 'one transaction, audit chain check excluded (appChainVerify)' },
      appChainVerify: { seconds: chainSeconds, records: chain.records },
      appVerification: { seconds: verifySeconds, ok: report.ok },
      pgDump,
      pgRestore,
      notes,
    };
  } finally {
    for (const db of scratch.reverse()) await db.drop().catch(() => undefined);
    for (const stop of stops) await stop().catch(() => undefined);
    await rm(work, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  benchBackup().then(
    (result) => console.log(JSON.stringify(result, null, 2)),
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
}
