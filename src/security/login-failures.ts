/**
 * Failed logins, counted the same wherever a credential is guessed (a password at login or at a
 * password change, a two-factor code, a recovery code): each is audited (LOGIN_FAILED), counts
 * against its address for the block list, and toward the per-source lockout of the account
 * (src/domain/lockout.ts); a locked account refuses before anything is checked.
 *
 * @module
 */
import type { AuditLog } from '../audit/append.ts';
import type { SecuritySettings } from '../config/sections/security.ts';
import { blockIp } from '../db/ip-blocks.ts';
import type { Sql, TxSql } from '../db/pool.ts';
import { transaction } from '../db/transaction.ts';
import { insertLoginFailure, lockAccountEverywhere, loginFailureCounts, type UserRow, userByName } from '../db/users.ts';
import { AccountLockedError } from '../domain/errors.ts';
import { accountLockDue, type LockoutPolicy, sourceLock, sourceLockEarned, sourceLockedUntil } from '../domain/lockout.ts';
import type { RequestFacts } from './sessions.ts';

/** What the guess was for, when not a login (recorded in the audit payload as `during`). */
export type Purpose = 'login' | 'password change' | 'second factor reset' | 'second factor enrolment';

export function lockoutPolicy(security: SecuritySettings): LockoutPolicy {
  return { threshold: security.LOCKOUT_THRESHOLD, baseS: security.LOCKOUT_BASE_S, maxS: security.LOCKOUT_MAX_S };
}

/** Until when `user` is locked for this address: everywhere, or for this address alone. */
async function lockedUntil(sql: Sql, policy: LockoutPolicy, user: UserRow, clientIp: string, now: Date): Promise<{ until: Date; scope: 'account' | 'source' } | undefined> {
  if (user.lockedUntil && user.lockedUntil > now) return { until: user.lockedUntil, scope: 'account' };
  const until = sourceLockedUntil(policy, await loginFailureCounts(sql, user.username, clientIp, user.failuresSince), now);
  return until && { until, scope: 'source' };
}

const auditBase = (user: UserRow | undefined, facts: RequestFacts) => ({ clientIp: facts.clientIp, requestId: facts.requestId, accountId: user?.accountId });
const duringOf = (purpose: Purpose) => (purpose === 'login' ? {} : { during: purpose });

/** Every failure counts against the address it came from; too many put it on the block list. */
async function countAgainstIp(tx: TxSql, security: SecuritySettings, audit: AuditLog, user: UserRow | undefined, username: string, facts: RequestFacts, checked: boolean): Promise<void> {
  const failuresFromIp = await insertLoginFailure(tx, username, facts.clientIp, checked);
  if (failuresFromIp >= security.LOGIN_FAILURES_PER_IP_HOUR && (await blockIp(tx, facts.clientIp, 'too many failed logins', security.IP_BLOCK_S, 'system:lockout'))) {
    await audit.append(tx, { type: 'IP_BLOCKED', actor: { type: 'system', id: 'lockout' }, ...auditBase(user, facts), payload: { ip: facts.clientIp, reason: 'too many failed logins', failuresLastHour: failuresFromIp, seconds: security.IP_BLOCK_S } });
  }
}

/** Refuse (423, audited, counted against the address) while `user` is locked for this address. */
export async function refuseWhileLocked(sql: Sql, security: SecuritySettings, audit: AuditLog, user: UserRow | undefined, username: string, facts: RequestFacts, purpose: Purpose): Promise<void> {
  const lock = user && (await lockedUntil(sql, lockoutPolicy(security), user, facts.clientIp, new Date()));
  if (!lock) return;
  const retryAfter = Math.max(1, Math.ceil((lock.until.getTime() - Date.now()) / 1000));
  await transaction(sql, async (tx) => {
    await audit.append(tx, { type: 'LOGIN_FAILED', actor: { type: 'user', id: username }, ...auditBase(user, facts), payload: { reason: 'account locked', scope: lock.scope, retryAfterSeconds: retryAfter, ...duringOf(purpose) } });
    await countAgainstIp(tx, security, audit, user, username, facts, false);
  });
  throw new AccountLockedError(retryAfter);
}

/** A wrong guess: audited, counted against the address, and toward locking the account (for an enabled user). */
export async function recordFailedGuess(sql: Sql, security: SecuritySettings, audit: AuditLog, user: UserRow | undefined, username: string, facts: RequestFacts, reason: string, purpose: Purpose): Promise<void> {
  const policy = lockoutPolicy(security);
  const base = auditBase(user, facts);
  await transaction(sql, async (tx) => {
    await audit.append(tx, { type: 'LOGIN_FAILED', actor: { type: 'user', id: username.slice(0, 64) }, ...base, payload: { reason, ...duringOf(purpose) } });
    await countAgainstIp(tx, security, audit, user, username, facts, true);
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
}
