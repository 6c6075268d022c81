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
  const url = config.DATABASE_ADMIN_URL ?? config.DATABASE_URL;
  if (!url) throw new Error('DATABASE_URL (or DATABASE_ADMIN_URL) is not set');
  const log = createLogger(config, 'migrate');
  const sql = createSql(url, { ...poolOptions(config, 'migrate'), max: 1 });
  try {
    await waitForDatabase(sql, url, config.DB_STARTUP_WAIT_S, log);
    const appRole = config.DATABASE_URL ? decodeURIComponent(new URL(config.DATABASE_URL).username) || undefined : undefined;
    const { applied, version } = await migrate(sql, log, { appRole, auditRetentionDays: config.AUDIT_RETENTION_DAYS });
    log.info({ applied, version }, applied.length ? 'migrations applied' : 'schema is up to date');
  } finally {
    await sql.end({ timeout: 5 });
  }
}

run().catch(exitOnStartupError);
