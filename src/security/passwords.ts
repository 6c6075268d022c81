/**
 * Password hashing (bcrypt, cost ≥ 12) and the password policy: long enough, at most 72 bytes
 * (bcrypt ignores the rest, so two passwords sharing 72 bytes would match), not the username, not
 * a common password (Mozilla's list from the fxa-common-password-list package). NIST SP 800-63B
 * and ASVS 5 §6.2: length and blocklists, no composition rules.
 *
 * @module
 */
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import bcrypt from 'bcrypt';
import { type FieldProblem } from '../domain/errors.ts';

const commonPasswords = createRequire(import.meta.url)('fxa-common-password-list') as { test(password: string): boolean };

export const BCRYPT_MAX_BYTES = 72;

const dummyHashes = new Map<number, Promise<string>>();

/**
 * A real hash, at the configured cost, of nothing anyone knows: compared against when the user
 * does not exist, so the time taken does not tell (a fixed cost-12 hash answered faster than
 * users' hashes once BCRYPT_COST was raised). Made once per process and cost.
 */
export function dummyHash(cost: number): Promise<string> {
  let hash = dummyHashes.get(cost);
  if (!hash) dummyHashes.set(cost, (hash = bcrypt.hash(randomBytes(32).toString('base64url'), cost)));
  return hash;
}

export async function hashPassword(password: string, cost: number): Promise<string> {
  return bcrypt.hash(password, cost);
}

export async function verifyPassword(password: string, hash: string): Promise<boolean> {
  if (Buffer.byteLength(password, 'utf8') > BCRYPT_MAX_BYTES) return false;
  return bcrypt.compare(password, hash);
}

/** Problems with a new password (empty when it is acceptable), located at `pointer`. */
export function passwordProblems(password: string, username: string, minLength: number, pointer = '/password'): FieldProblem[] {
  const problems: string[] = [];
  if ([...password].length < minLength) problems.push(`at least ${minLength} characters`);
  if (Buffer.byteLength(password, 'utf8') > BCRYPT_MAX_BYTES) problems.push(`at most ${BCRYPT_MAX_BYTES} bytes (UTF-8)`);
  if (username && password.toLowerCase().includes(username.toLowerCase())) problems.push('must not contain the username');
  if (commonPasswords.test(password) || commonPasswords.test(password.toLowerCase())) problems.push('is a commonly used password');
  return problems.map((detail) => ({ location: 'body' as const, pointer, detail }));
}
