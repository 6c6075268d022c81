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
  if (!config.DATABASE_URL) {
    throw new ConfigError([{ variable: 'DATABASE_URL', message: 'not set: run `npm start` (it starts embedded services) or point DATABASE_URL at PostgreSQL' }]);
  }
  const sql = createSql(config.DATABASE_URL, poolOptions(config, processName));
  await waitForDatabase(sql, config.DATABASE_URL, config.DB_STARTUP_WAIT_S, log);
  const adminUrl = config.DATABASE_ADMIN_URL ?? config.DATABASE_URL;
  const admin = adminUrl === config.DATABASE_URL ? sql : createSql(adminUrl, { ...poolOptions(config, `${processName}-migrate`), max: 1 });
  try {
    if (admin !== sql) await waitForDatabase(admin, adminUrl, config.DB_STARTUP_WAIT_S, log);
    const appRole = decodeURIComponent(new URL(config.DATABASE_URL).username) || undefined;
    const { applied, version } = await migrate(admin, log, { appRole, auditRetentionDays: config.AUDIT_RETENTION_DAYS });
    log.info({ schemaVersion: version, applied: applied.length, database: describeUrl(config.DATABASE_URL) }, 'database ready');
  } finally {
    if (admin !== sql) await admin.end({ timeout: 5 });
  }
  await ensureAccount(sql, config.ACCOUNT_ID, Math.round(config.ACCOUNT_CAPITAL * 100));
  return sql;
}
