/**
 * Login with lockout. Failed logins count per account and per IP. An account that fails
 * LOCKOUT_THRESHOLD times in a row is locked for a period that doubles with each lock (capped);
 * an IP that fails too often in an hour goes on the block list, so one address cannot keep an
 * account locked for ever (OWASP Authentication Cheat Sheet, "Account Lockout"). Unknown users,
 * wrong passwords and disabled users get the same answer in the same time (a bcrypt compare
 * always runs: ASVS 5 §6.3.8).
 *
 * @module
 */
import type { AuditLog } from '../audit/append.ts';
import type { Config } from '../config.ts';
import { blockIp } from '../db/ip-blocks.ts';
import type { Sql, TxSql } from '../db/pool.ts';
import { transaction } from '../db/transaction.ts';
import { clearFailedLogins, insertLoginFailure, recordFailedLogin, userByName } from '../db/users.ts';
import { AccountLockedError, AuthenticationError } from '../domain/errors.ts';
import { DUMMY_HASH, verifyPassword } from './passwords.ts';
import { openSession, type RequestFacts, type TokenPair } from './sessions.ts';

export const INVALID_CREDENTIALS = 'Invalid username or password';

export async function login(sql: Sql, config: Config, audit: AuditLog, username: string, password: string, facts: RequestFacts): Promise<TokenPair> {
  const user = await userByName(sql, username);
  const base = { clientIp: facts.clientIp, requestId: facts.requestId, accountId: user?.accountId };

  /** Every failure counts against the address it came from; too many put it on the block list. */
  const countAgainstIp = async (tx: TxSql) => {
    const failuresFromIp = await insertLoginFailure(tx, username, facts.clientIp);
    if (failuresFromIp >= config.LOGIN_FAILURES_PER_IP_HOUR && (await blockIp(tx, facts.clientIp, 'too many failed logins', config.IP_BLOCK_S, 'system:lockout'))) {
      await audit.append(tx, { type: 'IP_BLOCKED', actor: { type: 'system', id: 'lockout' }, ...base, payload: { ip: facts.clientIp, reason: 'too many failed logins', failuresLastHour: failuresFromIp, seconds: config.IP_BLOCK_S } });
    }
  };

  if (user?.lockedUntil && user.lockedUntil.getTime() > Date.now()) {
    const retryAfter = Math.ceil((user.lockedUntil.getTime() - Date.now()) / 1000);
    await transaction(sql, async (tx) => {
      await audit.append(tx, { type: 'LOGIN_FAILED', actor: { type: 'user', id: username }, ...base, payload: { reason: 'account locked', retryAfterSeconds: retryAfter } });
      await countAgainstIp(tx);
    });
    throw new AccountLockedError(retryAfter);
  }

  const passwordOk = await verifyPassword(password, user?.passwordHash ?? DUMMY_HASH);
  if (user && passwordOk && !user.disabled) {
    return transaction(sql, async (tx) => {
      await clearFailedLogins(tx, user.id);
      const { sessionId, tokens } = await openSession(tx, config, user, facts);
      await audit.append(tx, { type: 'USER_LOGIN', actor: { type: 'user', id: user.username }, ...base, payload: { sessionId, role: user.role } });
      return tokens;
    });
  }

  await transaction(sql, async (tx) => {
    const reason = !user ? 'unknown user' : user.disabled ? 'user disabled' : 'wrong password';
    await audit.append(tx, { type: 'LOGIN_FAILED', actor: { type: 'user', id: username.slice(0, 64) }, ...base, payload: { reason } });
    if (user && !user.disabled) {
      const lock = await recordFailedLogin(tx, user.id, config.LOCKOUT_THRESHOLD, config.LOCKOUT_BASE_S, config.LOCKOUT_MAX_S);
      if (lock.locked) {
        await audit.append(tx, { type: 'ACCOUNT_LOCKED', actor: { type: 'system', id: 'lockout' }, ...base, payload: { user: user.username, lockedUntil: lock.lockedUntil?.toISOString() } });
      }
    }
    await countAgainstIp(tx);
  });
  throw new AuthenticationError(INVALID_CREDENTIALS, 'invalid-credentials');
}
