/**
 * Restore an application backup into the database DATABASE_ADMIN_URL (or DATABASE_URL) points at.
 *
 *   npm run restore -- --backup <id>            that backup
 *   npm run restore -- --at 2026-03-12T18:00:00+05:30
 *                                               the newest verified backup at or before that time
 *   options: --dry-run (show what would change), --yes (no prompt), --force (halt trading first
 *            instead of refusing), --allow-unverified, --operator <name> (for the audit trail)
 *
 * Reads backups from BACKUP_DIR (default DATA_DIR/backups) by their manifests alone, so it works
 * when the database, and with it the backup registry, is gone: create an empty database, point
 * DATABASE_URL at it, and restore. docs/backup-and-recovery.md has the whole drill.
 */
import { userInfo } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline/promises';
import { parseArgs } from 'node:util';
import { createAuditLog } from '../src/audit/append.ts';
import { createAuditFileCopy } from '../src/audit/file-copy.ts';
import { AFTER_RESTORE_HOOKS } from '../src/backup/after-restore.ts';
import { backupKey } from '../src/backup/encryption.ts';
import { backupRoot } from '../src/backup/files.ts';
import { runRestore } from '../src/backup/restore-command.ts';
import { readConfig } from '../src/config.ts';
import { createSql, describeUrl, poolOptions, waitForDatabase } from '../src/db/pool.ts';
import { createLogger } from '../src/config/logger.ts';
import { restoreBreaker } from '../src/temporal/circuit-breaker.ts';
import { connectClient } from '../src/temporal/client.ts';

const USAGE = 'usage: npm run restore -- (--backup <id> | --at <ISO time>) [--dry-run] [--yes] [--force] [--allow-unverified] [--operator <name>]';

/** Ask on the terminal; a closed or non-interactive input counts as "no". */
async function confirm(question: string): Promise<boolean> {
  const prompt = createInterface({ input: process.stdin, output: process.stdout });
  try {
    return (await prompt.question(question)).trim() === 'restore';
  } catch {
    return false;
  } finally {
    prompt.close();
  }
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      backup: { type: 'string' },
      at: { type: 'string' },
      'dry-run': { type: 'boolean', default: false },
      yes: { type: 'boolean', default: false },
      force: { type: 'boolean', default: false },
      'allow-unverified': { type: 'boolean', default: false },
      operator: { type: 'string', default: userInfo().username },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help || (!values.backup && !values.at) || (values.backup && values.at)) {
    console.error(USAGE);
    return values.help ? 0 : 2;
  }
  const at = values.at ? new Date(values.at) : undefined;
  if (at && Number.isNaN(at.getTime())) {
    console.error(`--at: not a time: ${values.at}\n${USAGE}`);
    return 2;
  }

  const config = readConfig();
  const log = createLogger({ ...config.process, LOG_LEVEL: 'warn' }, 'restore');
  const url = config.database.DATABASE_ADMIN_URL ?? config.database.DATABASE_URL;
  if (!url) {
    console.error('DATABASE_ADMIN_URL or DATABASE_URL must point at the database to restore into');
    return 2;
  }
  const sql = createSql(url, { ...poolOptions(config.database, 'restore'), max: 2, statementTimeoutMs: 0 });
  // The breaker is asked to halt trading when Temporal answers; without it the state is written directly.
  const temporal = config.temporal.TEMPORAL_ADDRESS
    ? await connectClient({ address: config.temporal.TEMPORAL_ADDRESS, namespace: config.temporal.TEMPORAL_NAMESPACE, startupWaitS: 3 }, log).catch(() => undefined)
    : undefined;
  try {
    await waitForDatabase(sql, url, config.database.DB_STARTUP_WAIT_S, log);
    const { outcome } = await runRestore(
      {
        config,
        sql,
        target: describeUrl(url),
        audit: createAuditLog({ fileCopy: createAuditFileCopy(path.join(config.dataDir, 'audit'), log) }),
        log,
        root: backupRoot(config),
        key: backupKey(config.backup.BACKUP_ENCRYPTION_KEY),
        breaker: temporal ? restoreBreaker(temporal, config) : undefined,
        appRole: config.database.DATABASE_URL ? decodeURIComponent(new URL(config.database.DATABASE_URL).username) || undefined : undefined,
        hooks: AFTER_RESTORE_HOOKS,
      },
      { backupId: values.backup, at, dryRun: values['dry-run'], yes: values.yes, force: values.force, allowUnverified: values['allow-unverified'], operator: values.operator },
      { print: (line) => console.log(line), confirm },
    );
    return outcome === 'restored' || outcome === 'dry-run' ? 0 : 1;
  } finally {
    await temporal?.connection.close();
    await sql.end({ timeout: 5 });
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(`restore failed: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  },
);
