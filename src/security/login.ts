/**
 * Login with lockout, per source (src/domain/lockout.ts): failed logins lock the account for the
 * address they came from, for a period that doubles with each lock (capped), and for every address
 * only when they come from several, so one address cannot keep a user out however patient it is.
 * An address that fails too often in an hour goes on the block list. Unknown users, wrong
 * passwords and disabled users get the same answer in the same time (a bcrypt compare always
 * runs: ASVS 5 §6.3.8). A user with a second factor also gives a code (src/security/second-factor.ts);
 * an admin without one gets only an enrolment token.
 *
 * @module
 */
import type { AuditLog } from '../audit/append.ts';
import type { SecuritySettings } from '../config/sections/security.ts';
import type { Sql } from '../db/pool.ts';
import { transaction } from '../db/transaction.ts';
import { clearFailedLogins, type UserRow, userByName } from '../db/users.ts';
import { AuthenticationError } from '../domain/errors.ts';
import { type Purpose, recordFailedGuess, refuseWhileLocked } from './login-failures.ts';
import { dummyHash, verifyPassword } from './passwords.ts';
import { checkSecondFactor, type SecondFactorProof } from './second-factor.ts';
import { openSession, type RequestFacts, type TokenPair } from './sessions.ts';

export const INVALID_CREDENTIALS = 'Invalid username or password';

/**
 * Check a user's password the way a login does: refused while locked, and a wrong one counted
 * toward the lockout and the block list and audited (LOGIN_FAILED, with `purpose`). Returns the
 * user when the password is right. A password change checks the current password here too, so a
 * stolen access token cannot be used to guess it without limit.
 */
export async function checkPassword(sql: Sql, security: SecuritySettings, audit: AuditLog, username: string, password: string, facts: RequestFacts, purpose: Purpose): Promise<UserRow> {
  const user = await userByName(sql, username);
  await refuseWhileLocked(sql, security, audit, user, username, facts, purpose);
  const passwordOk = await verifyPassword(password, user?.passwordHash ?? (await dummyHash(security.BCRYPT_COST)));
  if (user && passwordOk && !user.disabled) return user;
  const reason = !user ? 'unknown user' : user.disabled ? 'user disabled' : 'wrong password';
  await recordFailedGuess(sql, security, audit, user, username, facts, reason, purpose);
  throw new AuthenticationError(purpose === 'login' ? INVALID_CREDENTIALS : 'The current password is wrong', 'invalid-credentials');
}

/** A session for a user who proved who they are: earlier failures stop counting; audited as USER_LOGIN. */
export async function startSession(sql: Sql, security: SecuritySettings, audit: AuditLog, user: UserRow, facts: RequestFacts, secondFactor?: string): Promise<TokenPair> {
  return transaction(sql, async (tx) => {
    await clearFailedLogins(tx, user.id);
    const { sessionId, tokens } = await openSession(tx, security, user, facts);
    await audit.append(tx, { type: 'USER_LOGIN', actor: { type: 'user', id: user.username }, clientIp: facts.clientIp, requestId: facts.requestId, accountId: user.accountId, payload: { sessionId, role: user.role, ...(secondFactor ? { secondFactor } : {}) } });
    return tokens;
  });
}

export async function login(sql: Sql, security: SecuritySettings, audit: AuditLog, username: string, password: string, facts: RequestFacts, proof: SecondFactorProof = {}): Promise<TokenPair> {
  const user = await checkPassword(sql, security, audit, username, password, facts, 'login');
  const secondFactor = await checkSecondFactor(sql, security, audit, user, proof, facts, 'login');
  return startSession(sql, security, audit, user, facts, secondFactor);
}
