/**
 * What the API and the worker both do before serving: reach PostgreSQL (waiting for it), bring the
 * schema up to date under the migration lock, and make sure the account exists.
 *
 * @module
 */
import type { Config } from '../config.ts';
import { ConfigError } from '../config.ts';
import { ensureAccount } from './accounts.ts';
import { migrate } from './migrate.ts';
import { createSql, describeUrl, poolOptions, type Sql, waitForDatabase } from './pool.ts';
import type { Logger } from '../config/logger.ts';

/** The runtime pool, after PostgreSQL answered and migrations ran (as the schema owner when configured). */
export async function openDatabase(config: Config, log: Logger, processName: string): Promise<Sql> {
  if (!config.database.DATABASE_URL) {
    throw new ConfigError([{ variable: 'DATABASE_URL', message: 'not set: run `npm start` (it starts embedded services) or point DATABASE_URL at PostgreSQL' }]);
  }
  const sql = createSql(config.database.DATABASE_URL, poolOptions(config.database, processName));
  await waitForDatabase(sql, config.database.DATABASE_URL, config.database.DB_STARTUP_WAIT_S, log);
  const adminUrl = config.database.DATABASE_ADMIN_URL ?? config.database.DATABASE_URL;
  const admin = adminUrl === config.database.DATABASE_URL ? sql : createSql(adminUrl, { ...poolOptions(config.database, `${processName}-migrate`), max: 1 });
  try {
    if (admin !== sql) await waitForDatabase(admin, adminUrl, config.database.DB_STARTUP_WAIT_S, log);
    const appRole = decodeURIComponent(new URL(config.database.DATABASE_URL).username) || undefined;
    const { applied, version } = await migrate(admin, log, { appRole, auditRetentionDays: config.retention.AUDIT_RETENTION_DAYS });
    log.info({ schemaVersion: version, applied: applied.length, database: describeUrl(config.database.DATABASE_URL) }, 'database ready');
  } finally {
    if (admin !== sql) await admin.end({ timeout: 5 });
  }
  await ensureAccount(sql, config.account.ACCOUNT_ID, Math.round(config.account.ACCOUNT_CAPITAL * 100));
  return sql;
}
