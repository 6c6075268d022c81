import { Secret, TOTP } from 'otpauth';
import { describe, expect, it } from 'vitest';
import { matchRecoveryCode, newRecoveryCodes, normalizeRecoveryCode } from '../../src/security/recovery-codes.ts';
import { open, seal, secretBoxKey } from '../../src/security/secret-box.ts';
import { newTotpSecret, totpStep, totpUri } from '../../src/security/totp.ts';

const JWT_SECRET = 'j'.repeat(40);

describe('TOTP codes', () => {
  const secret = newTotpSecret();
  const codeAt = (ms: number) => new TOTP({ secret: Secret.fromBase32(secret) }).generate({ timestamp: ms });
  const now = Date.UTC(2026, 11, 5, 6, 0, 10);

  it('are accepted for the current step and within the drift, and tell which step they belong to', () => {
    const step = Math.floor(now / 30_000);
    expect(totpStep(secret, codeAt(now), 1, now)).toBe(step);
    expect(totpStep(secret, codeAt(now - 30_000), 1, now)).toBe(step - 1);
    expect(totpStep(secret, codeAt(now + 30_000), 1, now)).toBe(step + 1);
  });

  it('are refused outside the drift, and when not six digits', () => {
    expect(totpStep(secret, codeAt(now - 90_000), 1, now)).toBeUndefined();
    expect(totpStep(secret, codeAt(now - 30_000), 0, now)).toBeUndefined();
    expect(totpStep(secret, `${codeAt(now)}0`, 1, now)).toBeUndefined();
    expect(totpStep(secret, 'abcdef', 1, now)).toBeUndefined();
  });

  it('come with an otpauth URI an authenticator app reads: 160-bit secret, SHA1, 6 digits, 30 s', () => {
    expect(Secret.fromBase32(secret).bytes).toHaveLength(20);
    const uri = new URL(totpUri(secret, 'alice'));
    expect(uri.protocol).toBe('otpauth:');
    expect(uri.searchParams.get('secret')).toBe(secret);
    expect(uri.searchParams.get('issuer')).toBe('breeze-trader');
    expect(uri.searchParams.get('algorithm')).toBe('SHA1');
    expect(uri.searchParams.get('digits')).toBe('6');
    expect(uri.searchParams.get('period')).toBe('30');
  });
});

describe('TOTP secrets at rest', () => {
  const key = secretBoxKey({ JWT_SECRET, TOTP_ENCRYPTION_KEY: undefined });

  it('are sealed so the stored text does not show the secret, and open again with the same key', () => {
    const sealed = seal(key, 'JBSWY3DPEHPK3PXP');
    expect(sealed).not.toContain('JBSWY3DPEHPK3PXP');
    expect(seal(key, 'JBSWY3DPEHPK3PXP')).not.toBe(sealed);
    expect(open(key, sealed)).toBe('JBSWY3DPEHPK3PXP');
  });

  it('do not open with another key, nor when altered', () => {
    const sealed = seal(key, 'JBSWY3DPEHPK3PXP');
    expect(() => open(secretBoxKey({ JWT_SECRET, TOTP_ENCRYPTION_KEY: 'k'.repeat(32) }), sealed)).toThrow();
    const raw = Buffer.from(sealed, 'base64url');
    raw[14] = raw[14]! ^ 1;
    expect(() => open(key, raw.toString('base64url'))).toThrow();
  });
});

describe('recovery codes', () => {
  it('are ten distinct codes, kept only as hashes, matched whatever the case and dashes', async () => {
    const { codes, hashes } = await newRecoveryCodes();
    expect(new Set(codes).size).toBe(10);
    expect(codes.every((c) => /^[0-9a-z]{5}-[0-9a-z]{5}$/.test(c))).toBe(true);
    expect(hashes.every((h, i) => h.startsWith('$2') && !h.includes(normalizeRecoveryCode(codes[i]!)))).toBe(true);
    const stored = hashes.map((codeHash, i) => ({ id: String(i), codeHash }));
    expect(await matchRecoveryCode(` ${codes[4]!.toUpperCase().replace('-', ' ')} `, stored)).toBe('4');
    expect(await matchRecoveryCode('00000-00000', stored)).toBeUndefined();
  });
});
