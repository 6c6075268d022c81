/**
 * The second factor at login (and wherever a user must prove it again): a TOTP code
 * (src/security/totp.ts) or a one-time recovery code. A wrong or replayed code counts exactly
 * like a wrong password (src/security/login-failures.ts). Admins must have one: an admin without
 * gets an enrolment token instead of a session (docs/security-standards.md#two-factor-login).
 *
 * @module
 */
import type { AuditLog } from '../audit/append.ts';
import type { SecuritySettings } from '../config/sections/security.ts';
import type { Sql } from '../db/pool.ts';
import { takeTotpStep, totpOf, unusedRecoveryCodes, useRecoveryCode } from '../db/second-factors.ts';
import { transaction } from '../db/transaction.ts';
import type { UserRow } from '../db/users.ts';
import { AppError, AuthenticationError } from '../domain/errors.ts';
import { type Purpose, recordFailedGuess, refuseWhileLocked } from './login-failures.ts';
import { matchRecoveryCode } from './recovery-codes.ts';
import { open, secretBoxKey } from './secret-box.ts';
import { type RequestFacts, tokenSettings } from './sessions.ts';
import { ENROLMENT_TOKEN_TTL_S, issueEnrolmentToken } from './tokens.ts';
import { totpStep } from './totp.ts';

export interface SecondFactorProof {
  otp?: string | undefined;
  recoveryCode?: string | undefined;
}

/** The answer a client recognises to ask for the code (problem type `/problems/otp-required`). */
export class SecondFactorRequiredError extends AppError {
  constructor() {
    super('otp-required', 'Two-factor login is on for this user: send the code from the authenticator app as `otp` (or a recovery code as `recoveryCode`)', { category: 'authentication', status: 401, severity: 'LOW' });
  }
}

/** An admin without a second factor: no session, only a token to enrol one (`/problems/otp-enrolment-required`). */
export class EnrolmentRequiredError extends AppError {
  constructor(enrolmentToken: string) {
    super('otp-enrolment-required', 'Admins must log in with two factors: enrol an authenticator with this enrolmentToken (POST /auth/2fa/enroll, then POST /auth/2fa/confirm)', {
      category: 'authentication',
      status: 401,
      severity: 'LOW',
      extensions: { enrolmentToken, expiresIn: ENROLMENT_TOKEN_TTL_S },
    });
  }
}

export const invalidCode = () => new AuthenticationError('The two-factor code is wrong or was already used', 'invalid-otp');

/**
 * Check `proof` for `user` (whose password is already proven). Returns how the second factor was
 * proven, or undefined for a user without one who may log in so (not an admin). Throws
 * SecondFactorRequiredError when a code is missing, EnrolmentRequiredError for an admin without
 * a factor (at login), and `invalid-otp` (counted and audited) for a wrong or replayed code.
 */
export async function checkSecondFactor(sql: Sql, security: SecuritySettings, audit: AuditLog, user: UserRow, proof: SecondFactorProof, facts: RequestFacts, purpose: Purpose): Promise<'totp' | 'recovery code' | undefined> {
  const totp = await totpOf(sql, user.id);
  if (!totp?.confirmedAt) {
    if (user.role !== 'admin' || purpose !== 'login') return undefined;
    await transaction(sql, (tx) =>
      audit.append(tx, { type: 'LOGIN_FAILED', actor: { type: 'user', id: user.username }, clientIp: facts.clientIp, requestId: facts.requestId, accountId: user.accountId, payload: { reason: 'admin without a second factor: enrolment token issued' } }),
    );
    throw new EnrolmentRequiredError(await issueEnrolmentToken(tokenSettings(security), user.id));
  }
  // A login checked the lock with the password; elsewhere (a reset with a stolen session) check it here.
  if (purpose !== 'login') await refuseWhileLocked(sql, security, audit, user, user.username, facts, purpose);
  if (proof.otp) {
    const step = totpStep(open(secretBoxKey(security), totp.secretEnc), proof.otp, security.TOTP_DRIFT_STEPS);
    if (step !== undefined && (await takeTotpStep(sql, user.id, step))) return 'totp';
    await recordFailedGuess(sql, security, audit, user, user.username, facts, step === undefined ? 'wrong second factor code' : 'second factor code replayed', purpose);
    throw invalidCode();
  }
  if (proof.recoveryCode) {
    const id = await matchRecoveryCode(proof.recoveryCode, await unusedRecoveryCodes(sql, user.id));
    const used = id !== undefined && (await transaction(sql, async (tx) => {
      if (!(await useRecoveryCode(tx, id))) return false;
      const left = (await unusedRecoveryCodes(tx, user.id)).length;
      await audit.append(tx, { type: 'RECOVERY_CODE_USED', actor: { type: 'user', id: user.username }, clientIp: facts.clientIp, requestId: facts.requestId, accountId: user.accountId, payload: { user: user.username, recoveryCodesLeft: left, during: purpose } });
      return true;
    }));
    if (used) return 'recovery code';
    await recordFailedGuess(sql, security, audit, user, user.username, facts, 'wrong recovery code', purpose);
    throw invalidCode();
  }
  throw new SecondFactorRequiredError();
}
