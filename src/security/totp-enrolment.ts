/**
 * Enrolling a second factor and resetting it. Enrolment happens in two steps: `startEnrolment`
 * makes a secret and ten recovery codes, shown this once and kept pending (the secret encrypted,
 * the codes hashed); `confirmEnrolment` turns them on once the user sends a code from the app, so
 * a secret that never reached the app cannot lock anyone out. Every step is audited.
 *
 * @module
 */
import type { AuditLog } from '../audit/append.ts';
import type { Actor } from '../audit/events.ts';
import type { SecuritySettings } from '../config/sections/security.ts';
import type { Sql } from '../db/pool.ts';
import { confirmTotp, deleteTotp, savePendingTotp, totpOf } from '../db/second-factors.ts';
import { transaction } from '../db/transaction.ts';
import type { UserRow } from '../db/users.ts';
import { ConflictError } from '../domain/errors.ts';
import { recordFailedGuess, refuseWhileLocked } from './login-failures.ts';
import { newRecoveryCodes } from './recovery-codes.ts';
import { invalidCode } from './second-factor.ts';
import { open, seal, secretBoxKey } from './secret-box.ts';
import type { RequestFacts } from './sessions.ts';
import { newTotpSecret, TOTP_PERIOD_S, totpStep, totpUri } from './totp.ts';

export interface Enrolment {
  /** Base32, for typing into an app that cannot scan. */
  secret: string;
  otpauthUri: string;
  recoveryCodes: string[];
  algorithm: 'SHA1';
  digits: 6;
  period: number;
}

const base = (user: UserRow, facts: RequestFacts) => ({ accountId: user.accountId, clientIp: facts.clientIp, requestId: facts.requestId });

export async function startEnrolment(sql: Sql, security: SecuritySettings, audit: AuditLog, user: UserRow, actor: Actor, facts: RequestFacts): Promise<Enrolment> {
  if ((await totpOf(sql, user.id))?.confirmedAt) throw new ConflictError('second-factor-enrolled', 'Two-factor login is already on for this user: reset it (DELETE /auth/2fa) before enrolling again');
  const secret = newTotpSecret();
  const { codes, hashes } = await newRecoveryCodes();
  await transaction(sql, async (tx) => {
    await savePendingTotp(tx, user.id, seal(secretBoxKey(security), secret), hashes);
    await audit.append(tx, { type: 'TOTP_ENROLMENT_STARTED', actor, ...base(user, facts), payload: { user: user.username } });
  });
  return { secret, otpauthUri: totpUri(secret, user.username), recoveryCodes: codes, algorithm: 'SHA1', digits: 6, period: TOTP_PERIOD_S };
}

/** Turn on the pending second factor with a first code from the app (a wrong code counts like a wrong password). */
export async function confirmEnrolment(sql: Sql, security: SecuritySettings, audit: AuditLog, user: UserRow, otp: string, actor: Actor, facts: RequestFacts): Promise<void> {
  const pending = await totpOf(sql, user.id);
  if (!pending) throw new ConflictError('no-enrolment', 'No enrolment is pending: start one with POST /auth/2fa/enroll');
  if (pending.confirmedAt) throw new ConflictError('second-factor-enrolled', 'Two-factor login is already on for this user');
  await refuseWhileLocked(sql, security, audit, user, user.username, facts, 'second factor enrolment');
  const step = totpStep(open(secretBoxKey(security), pending.secretEnc), otp, security.TOTP_DRIFT_STEPS);
  if (step === undefined) {
    await recordFailedGuess(sql, security, audit, user, user.username, facts, 'wrong second factor code', 'second factor enrolment');
    throw invalidCode();
  }
  await transaction(sql, async (tx) => {
    const locked = await totpOf(tx, user.id, true);
    if (!locked || locked.confirmedAt || locked.secretEnc !== pending.secretEnc) throw new ConflictError('enrolment-changed', 'The enrolment changed meanwhile: start again');
    await confirmTotp(tx, user.id, step);
    await audit.append(tx, { type: 'TOTP_ENROLLED', actor, ...base(user, facts), payload: { user: user.username, role: user.role } });
  });
}

/** Remove a user's second factor (the user, with a code, or an admin for another user). False when there was none. */
export async function resetSecondFactor(sql: Sql, audit: AuditLog, user: UserRow, actor: Actor, facts: RequestFacts, by: 'self' | 'admin'): Promise<boolean> {
  return transaction(sql, async (tx) => {
    const removed = await deleteTotp(tx, user.id);
    if (removed) await audit.append(tx, { type: 'TOTP_RESET', actor, ...base(user, facts), payload: { user: user.username, by } });
    return removed;
  });
}
