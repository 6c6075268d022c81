import { describe, expect, it } from 'vitest';
import { dummyHash, hashPassword, passwordProblems, verifyPassword } from '../../src/security/passwords.ts';

describe('passwords', () => {
  it('compare an unknown user against a hash of the configured cost, so the answer takes as long as for a real user', async () => {
    const [dummy, real] = await Promise.all([dummyHash(13), hashPassword('a-real-users-passphrase', 13)]);
    expect(dummy.slice(0, 7)).toBe(real.slice(0, 7)); // "$2b$13$"
    expect(await dummyHash(13)).toBe(dummy); // made once
    expect(await verifyPassword('', dummy)).toBe(false);
  });

  it('refuse what bcrypt would silently cut, the username, and common passwords', () => {
    const details = (pw: string) => passwordProblems(pw, 'ravi.k', 12).map((p) => p.detail);
    expect(details('é'.repeat(40))).toContain('at most 72 bytes (UTF-8)');
    expect(details('my-name-is-ravi.k!')).toContain('must not contain the username');
    expect(details('password1234')).toContain('is a commonly used password');
    expect(details('correct horse battery staple')).toEqual([]);
  });
});
