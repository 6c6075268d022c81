/**
 * The first admin: created at start from ADMIN_USERNAME / ADMIN_PASSWORD when no user exists.
 *
 * @module
 */
import type { AuditLog } from '../audit/append.ts';
import { type Config, ConfigError } from '../config.ts';
import type { Sql } from '../db/pool.ts';
import { transaction } from '../db/transaction.ts';
import { countUsers, insertUser } from '../db/users.ts';
import type { Logger } from '../config/logger.ts';
import { hashPassword, passwordProblems } from './passwords.ts';

export async function ensureFirstAdmin(sql: Sql, config: Pick<Config, 'security' | 'account'>, audit: AuditLog, log: Logger): Promise<void> {
  if ((await countUsers(sql)) > 0) return;
  const problems = passwordProblems(config.security.ADMIN_PASSWORD, config.security.ADMIN_USERNAME, config.security.PASSWORD_MIN_LENGTH);
  if (problems.length) throw new ConfigError([{ variable: 'ADMIN_PASSWORD', message: `does not meet the password policy: ${problems.map((p) => p.detail).join('; ')}` }]);
  const passwordHash = await hashPassword(config.security.ADMIN_PASSWORD, config.security.BCRYPT_COST);
  await transaction(sql, async (tx) => {
    const user = await insertUser(tx, { username: config.security.ADMIN_USERNAME, passwordHash, role: 'admin', accountId: config.account.ACCOUNT_ID, createdBy: 'system' });
    if (user) {
      await audit.append(tx, { type: 'USER_CREATED', actor: { type: 'system', id: 'bootstrap' }, accountId: config.account.ACCOUNT_ID, payload: { user: user.username, role: 'admin', firstAdmin: true } });
      log.info({ user: user.username }, 'first admin created');
    }
  });
}
