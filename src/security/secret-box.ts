/**
 * Secrets the system must read back (TOTP seeds) are kept encrypted at rest: AES-256-GCM with a
 * random 96-bit IV (NIST SP 800-38D), the key from TOTP_ENCRYPTION_KEY or derived from JWT_SECRET.
 * A stolen database dump alone does not give anyone a second factor.
 *
 * @module
 */
import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';
import type { SecuritySettings } from '../config/sections/security.ts';

/** The 32-byte key: TOTP_ENCRYPTION_KEY hashed, or one derived from JWT_SECRET for this purpose alone. */
export function secretBoxKey(security: Pick<SecuritySettings, 'JWT_SECRET' | 'TOTP_ENCRYPTION_KEY'>): Buffer {
  return security.TOTP_ENCRYPTION_KEY
    ? createHmac('sha256', security.TOTP_ENCRYPTION_KEY).update('breeze-trader totp').digest()
    : createHmac('sha256', security.JWT_SECRET).update('breeze-trader totp secret box').digest();
}

export function seal(key: Buffer, plaintext: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return Buffer.concat([iv, body, cipher.getAuthTag()]).toString('base64url');
}

/** The plaintext; throws when the box was sealed with another key or altered. */
export function open(key: Buffer, sealed: string): string {
  const raw = Buffer.from(sealed, 'base64url');
  const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, 12));
  decipher.setAuthTag(raw.subarray(raw.length - 16));
  return Buffer.concat([decipher.update(raw.subarray(12, raw.length - 16)), decipher.final()]).toString('utf8');
}
