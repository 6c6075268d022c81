/**
 * One-time recovery codes for a lost authenticator: ten per enrolment, each 50 random bits shown
 * as `xxxxx-xxxxx`, stored only as bcrypt hashes the way passwords are (src/security/passwords.ts),
 * at cost 10: a code has 50 random bits, far more than any password, so a guess offline costs
 * more than one at a password's cost 12, and ten of them hash and compare in well under a second.
 * Dashes, spaces and case do not matter when one is typed in.
 *
 * @module
 */
import { randomInt } from 'node:crypto';
import { hashPassword, verifyPassword } from './passwords.ts';

export const RECOVERY_CODE_COUNT = 10;
const RECOVERY_CODE_COST = 10;
// Crockford's base32 alphabet: no I, L, O or U to misread.
const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';

export function newRecoveryCode(): string {
  const chars = Array.from({ length: 10 }, () => ALPHABET[randomInt(ALPHABET.length)]).join('');
  return `${chars.slice(0, 5)}-${chars.slice(5)}`;
}

/** The form that is hashed and compared. */
export function normalizeRecoveryCode(code: string): string {
  return code.toLowerCase().replace(/[\s-]/g, '');
}

/** New codes (shown once) and their hashes (kept). */
export async function newRecoveryCodes(): Promise<{ codes: string[]; hashes: string[] }> {
  const codes = Array.from({ length: RECOVERY_CODE_COUNT }, newRecoveryCode);
  const hashes = await Promise.all(codes.map((c) => hashPassword(normalizeRecoveryCode(c), RECOVERY_CODE_COST)));
  return { codes, hashes };
}

/** The id of the stored code `code` matches, if any (every hash is compared, in parallel). */
export async function matchRecoveryCode(code: string, stored: { id: string; codeHash: string }[]): Promise<string | undefined> {
  const given = normalizeRecoveryCode(code);
  if (!/^[0-9a-z]{10}$/.test(given)) return undefined;
  const matches = await Promise.all(stored.map((s) => verifyPassword(given, s.codeHash)));
  return stored[matches.indexOf(true)]?.id;
}
