/**
 * Login with lockout, per source (src/domain/lockout.ts): failed logins lock the account for the
 * address they came from, for a period that doubles with each lock (capped), and for every address
 * only when they come from several, so one address cannot keep a user out however patient it is.
 * An address that fails too often in an hour goes on the block list. Unknown users, wrong
 * passwords and disabled users get the same answer in the same time (a bcrypt compare always
 * runs: ASVS 5 §6.3.8).
 *
 * @module
 */
import type { AuditLog } from '../audit/append.ts';
import type { SecuritySettings } from '../config/sections/security.ts';
import { blockIp } from '../db/ip-blocks.ts';
import type { Sql, TxSql } from '../db/pool.ts';
import { transaction } from '../db/transaction.ts';
import { clearFailedLogins, insertLoginFailure, lockAccountEverywhere, loginFailureCounts, type UserRow, userByName } from '../db/users.ts';
import { AccountLockedError, AuthenticationError } from '../domain/errors.ts';
import { accountLockDue, type LockoutPolicy, sourceLock, sourceLockEarned, sourceLockedUntil } from '../domain/lockout.ts';
import { dummyHash, verifyPassword } from './passwords.ts';
import { openSession, type RequestFacts, type TokenPair } from './sessions.ts';

export const INVALID_CREDENTIALS = 'Invalid username or password';

/** Until when `user` is locked for this address: everywhere, or for this address alone. */
async function lockedUntil(sql: Sql, policy: LockoutPolicy, user: UserRow, clientIp: string, now: Date): Promise<{ until: Date; scope: 'account' | 'source' } | undefined> {
  if (user.lockedUntil && user.lockedUntil > now) return { until: user.lockedUntil, scope: 'account' };
  const until = sourceLockedUntil(policy, await loginFailureCounts(sql, user.username, clientIp, user.failuresSince), now);
  return until && { until, scope: 'source' };
}

/**
 * Check a user's password the way a login does: refused while locked, and a wrong one counted
 * toward the lockout and the block list and audited (LOGIN_FAILED, with `purpose`). Returns the
 * user when the password is right. A password change checks the current password here too, so a
 * stolen access token cannot be used to guess it without limit.
 */
export async function checkPassword(sql: Sql, security: SecuritySettings, audit: AuditLog, username: string, password: string, facts: RequestFacts, purpose: 'login' | 'password change'): Promise<UserRow> {
  const policy: LockoutPolicy = { threshold: security.LOCKOUT_THRESHOLD, baseS: security.LOCKOUT_BASE_S, maxS: security.LOCKOUT_MAX_S };
  const user = await userByName(sql, username);
  const base = { clientIp: facts.clientIp, requestId: facts.requestId, accountId: user?.accountId };
  const during = purpose === 'login' ? {} : { during: purpose };

  /** Every failure counts against the address it came from; too many put it on the block list. */
  const countAgainstIp = async (tx: TxSql, passwordChecked: boolean) => {
    const failuresFromIp = await insertLoginFailure(tx, username, facts.clientIp, passwordChecked);
    if (failuresFromIp >= security.LOGIN_FAILURES_PER_IP_HOUR && (await blockIp(tx, facts.clientIp, 'too many failed logins', security.IP_BLOCK_S, 'system:lockout'))) {
      await audit.append(tx, { type: 'IP_BLOCKED', actor: { type: 'system', id: 'lockout' }, ...base, payload: { ip: facts.clientIp, reason: 'too many failed logins', failuresLastHour: failuresFromIp, seconds: security.IP_BLOCK_S } });
    }
  };

  const lock = user && (await lockedUntil(sql, policy, user, facts.clientIp, new Date()));
  if (lock) {
    const retryAfter = Math.max(1, Math.ceil((lock.until.getTime() - Date.now()) / 1000));
    await transaction(sql, async (tx) => {
      await audit.append(tx, { type: 'LOGIN_FAILED', actor: { type: 'user', id: username }, ...base, payload: { reason: 'account locked', scope: lock.scope, retryAfterSeconds: retryAfter, ...during } });
      await countAgainstIp(tx, false);
    });
    throw new AccountLockedError(retryAfter);
  }

  const passwordOk = await verifyPassword(password, user?.passwordHash ?? (await dummyHash(security.BCRYPT_COST)));
  if (user && passwordOk && !user.disabled) return user;

  await transaction(sql, async (tx) => {
    const reason = !user ? 'unknown user' : user.disabled ? 'user disabled' : 'wrong password';
    await audit.append(tx, { type: 'LOGIN_FAILED', actor: { type: 'user', id: username.slice(0, 64) }, ...base, payload: { reason, ...during } });
    await countAgainstIp(tx, true);
    if (!user || user.disabled) return;
    // Under the user's row lock: concurrent failures make one decision each, in turn.
    const locked = await userByName(tx, user.username, true);
    if (!locked) return;
    const counts = await loginFailureCounts(tx, user.username, facts.clientIp, locked.failuresSince);
    const lockAudit = (scope: 'account' | 'source', until: Date) =>
      audit.append(tx, { type: 'ACCOUNT_LOCKED', actor: { type: 'system', id: 'lockout' }, ...base, payload: { user: user.username, scope, ip: scope === 'source' ? facts.clientIp : undefined, lockedUntil: until.toISOString(), failures: counts.total } });
    if (accountLockDue(policy, counts)) {
      await lockAudit('account', await lockAccountEverywhere(tx, user.id, policy.baseS, policy.maxS));
    } else if (sourceLockEarned(policy, counts)) {
      const lock = sourceLock(policy, counts);
      if (lock) await lockAudit('source', lock.until);
    }
  });
  throw new AuthenticationError(purpose === 'login' ? INVALID_CREDENTIALS : 'The current password is wrong', 'invalid-credentials');
}

export async function login(sql: Sql, security: SecuritySettings, audit: AuditLog, username: string, password: string, facts: RequestFacts): Promise<TokenPair> {
  const user = await checkPassword(sql, security, audit, username, password, facts, 'login');
  return transaction(sql, async (tx) => {
    await clearFailedLogins(tx, user.id);
    const { sessionId, tokens } = await openSession(tx, security, user, facts);
    await audit.append(tx, { type: 'USER_LOGIN', actor: { type: 'user', id: user.username }, clientIp: facts.clientIp, requestId: facts.requestId, accountId: user.accountId, payload: { sessionId, role: user.role } });
    return tokens;
  });
}
