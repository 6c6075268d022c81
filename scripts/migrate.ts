/**
 * `npm run migrate`: apply pending migrations to DATABASE_ADMIN_URL (or DATABASE_URL) under the
 * migration lock, granting the application role (DATABASE_URL's user) its rights.
 */
import { readConfig } from '../src/config.ts';
import { migrate } from '../src/db/migrate.ts';
import { createSql, poolOptions, waitForDatabase } from '../src/db/pool.ts';
import { createLogger } from '../src/config/logger.ts';
import { exitOnStartupError } from '../src/config/startup-error.ts';

async function run(): Promise<void> {
  const config = readConfig();
  const url = config.database.DATABASE_ADMIN_URL ?? config.database.DATABASE_URL;
  if (!url) throw new Error('DATABASE_URL (or DATABASE_ADMIN_URL) is not set');
  const log = createLogger(config.process, 'migrate');
  const sql = createSql(url, { ...poolOptions(config.database, 'migrate'), max: 1 });
  try {
    await waitForDatabase(sql, url, config.database.DB_STARTUP_WAIT_S, log);
    const appRole = config.database.DATABASE_URL ? decodeURIComponent(new URL(config.database.DATABASE_URL).username) || undefined : undefined;
    const { applied, version } = await migrate(sql, log, { appRole, auditRetentionDays: config.retention.AUDIT_RETENTION_DAYS });
    log.info({ applied, version }, applied.length ? 'migrations applied' : 'schema is up to date');
  } finally {
    await sql.end({ timeout: 5 });
  }
}

run().catch(exitOnStartupError);
