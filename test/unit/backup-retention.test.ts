import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isoWeek, planRetention, type RetainedBackup, type RetentionPolicy } from '../../src/domain/backup-retention.ts';
import { BACKUP_KINDS, BACKUP_STATUSES, isStale } from '../../src/domain/backups.ts';

const policy: RetentionPolicy = { keep: { daily: 7, weekly: 4, monthly: 12, manual: 2 }, inFlightMs: 4 * 3_600_000, keepFailed: 3 };
const now = new Date('2026-06-30T12:00:00Z');
const DAY = 86_400_000;

/** A backup at 16:00 IST (10:30 UTC) `daysAgo` days before `now`'s date. */
function at(daysAgo: number, hour = 10): Date {
  return new Date(Date.parse('2026-06-30T10:30:00Z') - daysAgo * DAY + (hour - 10) * 3_600_000);
}
const b = (id: string, kind: RetainedBackup['kind'], startedAt: Date, status: RetainedBackup['status'] = 'VERIFIED'): RetainedBackup => ({ id, kind, status, startedAt });

describe('planRetention', () => {
  it('keeps the seven newest daily backups and removes the older ones', () => {
    const backups = Array.from({ length: 10 }, (_, i) => b(`d${i}`, 'daily', at(i)));
    const plan = planRetention(backups, policy, now);
    expect(plan.keep).toEqual(['d0', 'd1', 'd2', 'd3', 'd4', 'd5', 'd6']);
    expect(plan.remove).toEqual([
      { id: 'd7', reason: 'beyond-retention' },
      { id: 'd8', reason: 'beyond-retention' },
      { id: 'd9', reason: 'beyond-retention' },
    ]);
  });

  it('keeps only the newest backup of an IST day when a day has two', () => {
    const plan = planRetention([b('late', 'daily', at(1, 12)), b('early', 'daily', at(1, 9))], policy, now);
    expect(plan.keep).toEqual(['late']);
    expect(plan.remove).toEqual([{ id: 'early', reason: 'superseded-in-period' }]);
  });

  it('buckets weekly backups by ISO week and monthly ones by month', () => {
    const weekly = Array.from({ length: 6 }, (_, i) => b(`w${i}`, 'weekly', at(i * 7)));
    const monthly = Array.from({ length: 14 }, (_, i) => b(`m${i}`, 'monthly', new Date(Date.UTC(2026, 5 - i, 1, 12, 30))));
    const plan = planRetention([...weekly, ...monthly], policy, now);
    expect(plan.keep.filter((id) => id.startsWith('w'))).toEqual(['w0', 'w1', 'w2', 'w3']);
    expect(plan.keep.filter((id) => id.startsWith('m'))).toHaveLength(12);
    expect(plan.remove.map((r) => r.id).sort()).toEqual(['m12', 'm13', 'w4', 'w5']);
  });

  it('never removes the newest verified backup, even when its kind keeps none', () => {
    const plan = planRetention([b('manual-new', 'manual', at(0)), b('d1', 'daily', at(1))], { ...policy, keep: { ...policy.keep, manual: 0 } }, now);
    expect(plan.keep).toContain('manual-new');
  });

  it('keeps failures newer than the newest verified backup as evidence and removes older ones', () => {
    const plan = planRetention(
      [b('fail-new', 'daily', at(0), 'VERIFICATION_FAILED'), b('good', 'daily', at(1)), b('fail-old', 'daily', at(2), 'FAILED')],
      policy,
      now,
    );
    expect(plan.keep).toEqual(['fail-new', 'good']);
    expect(plan.remove).toEqual([{ id: 'fail-old', reason: 'failed' }]);
  });

  it('leaves backups in flight alone and removes abandoned ones', () => {
    const plan = planRetention([b('running', 'daily', new Date(now.getTime() - 60_000), 'RUNNING'), b('stuck', 'daily', at(3), 'COMPLETED')], policy, now);
    expect(plan.keep).toEqual(['running']);
    expect(plan.remove).toEqual([{ id: 'stuck', reason: 'abandoned' }]);
  });

  it('computes ISO weeks across a year boundary', () => {
    expect(isoWeek('2026-01-01')).toBe('2026-W01'); // a Thursday
    expect(isoWeek('2027-01-01')).toBe('2026-W53'); // a Friday: still the last week of 2026
    expect(isoWeek('2024-12-30')).toBe('2025-W01'); // a Monday: first week of 2025
  });
});

describe('planRetention properties', () => {
  const backupArb = fc.record({
    id: fc.uuid(),
    kind: fc.constantFrom(...BACKUP_KINDS),
    status: fc.constantFrom(...BACKUP_STATUSES),
    startedAt: fc.integer({ min: 0, max: 400 * 24 }).map((hoursAgo) => new Date(now.getTime() - hoursAgo * 3_600_000)),
  });
  const listArb = fc.uniqueArray(backupArb, { selector: (x) => x.id, maxLength: 60 });
  const policyArb = fc.record({
    keep: fc.record({ daily: fc.integer({ min: 1, max: 10 }), weekly: fc.integer({ min: 1, max: 6 }), monthly: fc.integer({ min: 1, max: 14 }), manual: fc.integer({ min: 0, max: 4 }) }),
    inFlightMs: fc.integer({ min: 0, max: 48 * 3_600_000 }),
    keepFailed: fc.integer({ min: 0, max: 4 }),
  });

  it('splits every backup into exactly one of keep and remove', () => {
    fc.assert(
      fc.property(listArb, policyArb, (backups, p) => {
        const plan = planRetention(backups, p, now);
        const ids = [...plan.keep, ...plan.remove.map((r) => r.id)];
        expect(new Set(ids).size).toBe(ids.length);
        expect(new Set(ids)).toEqual(new Set(backups.map((x) => x.id)));
      }),
    );
  });

  it('always keeps the newest verified backup', () => {
    fc.assert(
      fc.property(listArb, policyArb, (backups, p) => {
        const verified = backups.filter((x) => x.status === 'VERIFIED').sort((x, y) => y.startedAt.getTime() - x.startedAt.getTime() || (x.id < y.id ? 1 : -1));
        fc.pre(verified.length > 0);
        expect(planRetention(backups, p, now).keep).toContain(verified[0]!.id);
      }),
    );
  });

  it('keeps no more verified backups of a kind than its setting allows (plus the newest overall)', () => {
    fc.assert(
      fc.property(listArb, policyArb, (backups, p) => {
        const kept = new Set(planRetention(backups, p, now).keep);
        for (const kind of BACKUP_KINDS) {
          const n = backups.filter((x) => x.kind === kind && x.status === 'VERIFIED' && kept.has(x.id)).length;
          expect(n).toBeLessThanOrEqual(Math.max(p.keep[kind], 1));
        }
      }),
    );
  });

  it('is stable: applying the plan and planning again removes nothing more', () => {
    fc.assert(
      fc.property(listArb, policyArb, (backups, p) => {
        const first = new Set(planRetention(backups, p, now).keep);
        const again = planRetention(backups.filter((x) => first.has(x.id)), p, now);
        expect(again.remove).toEqual([]);
      }),
    );
  });

  it('does not depend on the order backups are listed in', () => {
    fc.assert(
      fc.property(listArb, policyArb, (backups, p) => {
        expect(planRetention([...backups].reverse(), p, now)).toEqual(planRetention(backups, p, now));
      }),
    );
  });
});

describe('isStale', () => {
  it('marks a daily backup older than 26 hours stale and a younger one fresh', () => {
    expect(isStale('daily', new Date(now.getTime() - 27 * 3_600_000), now)).toBe(true);
    expect(isStale('daily', new Date(now.getTime() - 25 * 3_600_000), now)).toBe(false);
  });
  it('allows eight days for weekly and 32 for monthly backups', () => {
    expect(isStale('weekly', new Date(now.getTime() - 7.5 * DAY), now)).toBe(false);
    expect(isStale('weekly', new Date(now.getTime() - 8.5 * DAY), now)).toBe(true);
    expect(isStale('monthly', new Date(now.getTime() - 31 * DAY), now)).toBe(false);
    expect(isStale('monthly', new Date(now.getTime() - 33 * DAY), now)).toBe(true);
  });
  it('calls a scheduled kind with no verified backup stale and manual backups never', () => {
    expect(isStale('daily', undefined, now)).toBe(true);
    expect(isStale('manual', undefined, now)).toBe(false);
  });
});
