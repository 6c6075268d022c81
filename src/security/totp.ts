/**
 * TOTP codes (RFC 6238: HMAC-SHA1, 6 digits, 30-second steps, the defaults every authenticator
 * app reads from an otpauth:// URI) through the otpauth package. A code is accepted within
 * TOTP_DRIFT_STEPS steps either side of now, and only for a step later than the last one accepted
 * for the same user, so a code cannot be replayed (RFC 6238 §5.2). docs/security-standards.md#two-factor-login
 *
 * @module
 */
import { Secret, TOTP } from 'otpauth';

export const TOTP_PERIOD_S = 30;
const ISSUER = 'breeze-trader';

function totp(secretBase32: string, label = 'user'): TOTP {
  return new TOTP({ issuer: ISSUER, label, algorithm: 'SHA1', digits: 6, period: TOTP_PERIOD_S, secret: Secret.fromBase32(secretBase32) });
}

/** A new 160-bit secret (RFC 4226 §4 recommends 160 bits), base32 as authenticator apps take it. */
export function newTotpSecret(): string {
  return new Secret({ size: 20 }).base32;
}

/** The otpauth:// URI an authenticator app scans (as a QR code) or takes typed in. */
export function totpUri(secretBase32: string, username: string): string {
  return totp(secretBase32, username).toString();
}

/** The time step `code` belongs to, when it is a valid code within the drift window; else undefined. */
export function totpStep(secretBase32: string, code: string, driftSteps: number, nowMs = Date.now()): number | undefined {
  if (!/^\d{6}$/.test(code)) return undefined;
  const t = totp(secretBase32);
  const delta = t.validate({ token: code, timestamp: nowMs, window: driftSteps });
  return delta === null ? undefined : t.counter({ timestamp: nowMs }) + delta;
}
