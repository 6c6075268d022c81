import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { accountLockDue, type FailureCounts, lockSeconds, sourceLock, sourceLockedUntil } from '../../src/domain/lockout.ts';

const policy = { threshold: 5, baseS: 60, maxS: 3600 };
const at = (s: number) => new Date(Date.UTC(2026, 11, 1, 4, 0, s));
const fromOne = (times: Date[]): FailureCounts => ({ fromSource: times, total: times.length, worstSource: times.length });

describe('lockout', () => {
  it('doubles each further lock, up to the cap', () => {
    expect([1, 2, 3, 4, 7, 20].map((level) => lockSeconds(policy, level))).toEqual([60, 120, 240, 480, 3600, 3600]);
  });

  it('locks an address from the failure that completes each threshold, not from later ones', () => {
    const times = Array.from({ length: 7 }, (_, i) => at(i * 10));
    // Five failures (the fifth at 40 s) earn a 60 s lock; the sixth and seventh do not move it.
    expect(sourceLock(policy, fromOne(times))).toEqual({ level: 1, until: at(100) });
    expect(sourceLockedUntil(policy, fromOne(times), at(99))).toEqual(at(100));
    expect(sourceLockedUntil(policy, fromOne(times), at(100))).toBeUndefined();
    expect(sourceLock(policy, fromOne(times.slice(0, 4)))).toBeUndefined();
    const ten = Array.from({ length: 10 }, (_, i) => at(i * 100));
    expect(sourceLock(policy, fromOne(ten))).toEqual({ level: 2, until: at(900 + 120) });
  });

  it('never locks the account for everyone on the failures of one address, however many', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10_000 }), (n) => {
        expect(accountLockDue(policy, { fromSource: [], total: n, worstSource: n })).toBe(false);
      }),
    );
  });

  it('locks the account for everyone once the addresses but the worst reach the threshold', () => {
    expect(accountLockDue(policy, { fromSource: [], total: 9, worstSource: 5 })).toBe(false);
    expect(accountLockDue(policy, { fromSource: [], total: 10, worstSource: 5 })).toBe(true);
    expect(accountLockDue(policy, { fromSource: [], total: 5, worstSource: 1 })).toBe(false);
    expect(accountLockDue(policy, { fromSource: [], total: 6, worstSource: 1 })).toBe(true);
  });
});
