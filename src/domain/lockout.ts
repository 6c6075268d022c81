/**
 * Lockout after failed logins (OWASP Authentication Cheat Sheet, "Account Lockout"), per source:
 * failures lock the account for the address they came from, with a lock that doubles each time
 * the address earns another (capped). The account is locked for every address only when failures
 * come from more than one: the failures of all sources but the worst one reach the threshold. So
 * one address, however patient, can only lock itself out; the user logs in from elsewhere.
 *
 * @module
 */

export interface LockoutPolicy {
  /** Failed logins that earn a lock. */
  threshold: number;
  /** First lock duration; each further lock doubles it. */
  baseS: number;
  maxS: number;
}

/** Failed logins counted against an account since it last logged in (or was last locked for everyone). */
export interface FailureCounts {
  /** When the failures from the address asking now happened, oldest first. */
  fromSource: Date[];
  total: number;
  /** From the address with the most. */
  worstSource: number;
}

/** How long the `level`-th lock lasts (level 1 is the first). */
export function lockSeconds(policy: LockoutPolicy, level: number): number {
  return Math.min(policy.baseS * 2 ** (level - 1), policy.maxS);
}

/**
 * The asking address's latest lock: every `threshold` failures earn one, starting at the failure
 * that completed it (failures in between do not move it).
 */
export function sourceLock(policy: LockoutPolicy, counts: FailureCounts): { level: number; until: Date } | undefined {
  const level = Math.floor(counts.fromSource.length / policy.threshold);
  const earnedAt = counts.fromSource[level * policy.threshold - 1];
  if (level < 1 || !earnedAt) return undefined;
  return { level, until: new Date(earnedAt.getTime() + lockSeconds(policy, level) * 1000) };
}

/** Until when the asking address is locked out of this account, if it is. */
export function sourceLockedUntil(policy: LockoutPolicy, counts: FailureCounts, now: Date): Date | undefined {
  const lock = sourceLock(policy, counts);
  return lock && lock.until > now ? lock.until : undefined;
}

/** True when the latest failure completed another lock of the asking address. */
export function sourceLockEarned(policy: LockoutPolicy, counts: FailureCounts): boolean {
  return counts.fromSource.length > 0 && counts.fromSource.length % policy.threshold === 0;
}

/** True when failures from more than one address call for locking the account everywhere. */
export function accountLockDue(policy: LockoutPolicy, counts: FailureCounts): boolean {
  return counts.total - counts.worstSource >= policy.threshold;
}
