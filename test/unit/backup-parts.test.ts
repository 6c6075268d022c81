import { describe, expect, it } from 'vitest';
import { parentsFirst, type TableInfo } from '../../src/backup/catalog.ts';
import { settingsSnapshot } from '../../src/backup/config-snapshot.ts';
import { scratchName } from '../../src/backup/scratch-db.ts';
import { statusOf } from '../../src/backup/status.ts';
import type { BackupRow } from '../../src/db/backups.ts';
import { backupIdFor, BACKUP_ID_PATTERN } from '../../src/domain/backups.ts';
import { backupScheduleSpec } from '../../src/temporal/schedules.ts';
import { testConfig } from '../support/config.ts';

const table = (name: string, parents: string[] = []): TableInfo => ({ name, columns: ['id'], parents });

describe('parentsFirst', () => {
  it('orders tables so every referenced table comes before the tables referencing it', () => {
    const ordered = parentsFirst([table('fills', ['orders', 'trades', 'accounts']), table('orders', ['trades', 'accounts']), table('trades', ['accounts']), table('accounts')]).map((t) => t.name);
    expect(ordered).toEqual(['accounts', 'trades', 'orders', 'fills']);
  });

  it('refuses foreign keys that form a cycle', () => {
    expect(() => parentsFirst([table('a', ['b']), table('b', ['a'])])).toThrow(/cycle \(a -> b -> a\)/);
  });
});

describe('configuration snapshot', () => {
  it('leaves secrets out, strips credentials from URLs and keeps everything else', () => {
    const config = testConfig({
      DATABASE_URL: 'postgres://app:s3cret@db.internal:5432/breeze',
      BACKUP_ENCRYPTION_KEY: 'ab'.repeat(32),
      JWT_SECRET: 'x'.repeat(40),
      ALERT_WEBHOOK_URL: 'https://hooks.slack.com/services/T0001/B0001/hooksecret123',
      REDIS_URL: 'redis://cache.internal:6379/0?password=redissecret',
    });
    const snapshot = settingsSnapshot(config);
    const text = JSON.stringify(snapshot);
    expect(text).not.toContain('s3cret');
    expect(text).not.toContain('ab'.repeat(32));
    expect(text).not.toContain('x'.repeat(40));
    expect(text).not.toContain('hooksecret123');
    expect(text).not.toContain('redissecret');
    expect(snapshot.settings.DATABASE_URL).toBe('postgres://db.internal:5432/breeze');
    expect(snapshot.settings.ALERT_WEBHOOK_URL).toBe('https://hooks.slack.com/(path left out)');
    expect(snapshot.settings.REDIS_URL).toBe('redis://cache.internal:6379/0');
    expect(snapshot.settings.RISK_MAX_OPEN_POSITIONS).toBe(3);
    expect(snapshot.secretsLeftOut).toEqual(expect.arrayContaining(['JWT_SECRET', 'ADMIN_PASSWORD', 'BACKUP_ENCRYPTION_KEY']));
  });
});

describe('names', () => {
  it('makes backup ids that sort by time and are safe as directory names', () => {
    const id = backupIdFor('daily', new Date('2026-03-12T10:30:00.123Z'), 'A1b2-c3D4');
    expect(id).toBe('daily-20260312t103000z-a1b2c3d4');
    expect(BACKUP_ID_PATTERN.test(id)).toBe(true);
    expect(BACKUP_ID_PATTERN.test('../etc')).toBe(false);
  });

  it('names scratch databases within PostgreSQL 63-byte limit', () => {
    expect(scratchName('daily-20260312t103000z-a1b2c3d4')).toBe('bt_verify_daily_20260312t103000z_a1b2c3d4');
    expect(scratchName('x'.repeat(80)).length).toBe(63);
  });
});

describe('schedule specs', () => {
  it('puts the daily backup at BACKUP_DAILY_TIME IST, the weekly on its day and the monthly on its date', () => {
    const config = testConfig({ BACKUP_DAILY_TIME: '16:05', BACKUP_WEEKLY_DAY: 'SATURDAY', BACKUP_MONTHLY_DAY: '2' });
    expect(backupScheduleSpec(config, 'daily')).toMatchObject({ timezone: 'Asia/Kolkata', calendars: [{ hour: 16, minute: 5 }] });
    expect(backupScheduleSpec(config, 'weekly')).toMatchObject({ calendars: [{ hour: 17, minute: 0, dayOfWeek: 'SATURDAY' }] });
    expect(backupScheduleSpec(config, 'monthly')).toMatchObject({ calendars: [{ hour: 18, minute: 0, dayOfMonth: 2 }] });
  });
});

describe('status', () => {
  const now = new Date('2026-06-30T12:00:00Z');
  const row = (id: string, kind: BackupRow['kind'], status: BackupRow['status'], hoursAgo: number): BackupRow => ({
    id,
    kind,
    status,
    directory: `/b/${id}`,
    workflowId: null,
    startedAt: new Date(now.getTime() - hoursAgo * 3_600_000),
    snapshotAt: new Date(now.getTime() - hoursAgo * 3_600_000),
    finishedAt: null,
    durationMs: 1000,
    verifiedAt: null,
    verifyDurationMs: 2000,
    tables: 12,
    rowCount: 100,
    bytes: 5000,
    schemaVersion: 30,
    encrypted: false,
    manifestSha256: null,
    error: status.includes('FAILED') ? 'broken' : null,
  });

  it('reports the last successful and verified backup per kind, failures, and staleness by schedule', () => {
    const status = statusOf(
      [row('d-new', 'daily', 'VERIFICATION_FAILED', 2), row('w-hung', 'weekly', 'RUNNING', 5), row('d-ok', 'daily', 'VERIFIED', 27), row('w-ok', 'weekly', 'VERIFIED', 24 * 6), row('m-run', 'monthly', 'COMPLETED', 1)],
      {},
      now,
      4 * 3_600_000,
    );
    const kind = (k: string) => status.kinds.find((s) => s.kind === k)!;
    expect(kind('daily')).toMatchObject({ stale: true, lastVerified: { id: 'd-ok' }, lastSuccessful: { id: 'd-ok' }, failures: [{ id: 'd-new', error: 'broken' }] });
    expect(kind('weekly')).toMatchObject({ stale: false, lastVerified: { id: 'w-ok', bytes: 5000, durationMs: 1000 } });
    // Still RUNNING five hours on, past the four a run may take: it shows as the failure it was.
    expect(kind('weekly').failures).toEqual([expect.objectContaining({ id: 'w-hung', status: 'FAILED', error: expect.stringContaining('BACKUP_TIMEOUT_MIN') })]);
    expect(kind('monthly')).toMatchObject({ stale: true, lastVerified: null, lastSuccessful: { id: 'm-run' } });
    expect(kind('manual')).toMatchObject({ stale: false, maxAgeHours: null });
    expect(status.stale).toBe(true);
  });
  it('keeps a new install quiet: no scheduled kind is stale before its first run was due', () => {
    const hoursAgo = (h: number) => new Date(now.getTime() - h * 3_600_000);
    const fresh = statusOf([], {}, now, 4 * 3_600_000, hoursAgo(20));
    expect(fresh.kinds.map((k) => [k.kind, k.stale])).toEqual([['daily', false], ['weekly', false], ['monthly', false], ['manual', false]]);
    expect(fresh.stale).toBe(false);
    // Past the daily run's due time (a day and its two hours of slack) without a verified backup: stale.
    const dayOld = statusOf([], {}, now, 4 * 3_600_000, hoursAgo(27));
    expect(dayOld.kinds.map((k) => [k.kind, k.stale])).toEqual([['daily', true], ['weekly', false], ['monthly', false], ['manual', false]]);
    // Install unknown: no verified backup is the stalest state there is.
    expect(statusOf([], {}, now, 4 * 3_600_000).stale).toBe(true);
  });

  it('counts a verified manual backup for every scheduled kind', () => {
    const longAgo = new Date(now.getTime() - 60 * 86_400_000);
    const status = statusOf([row('m-ok', 'manual', 'VERIFIED', 3), row('d-old', 'daily', 'VERIFIED', 40)], {}, now, 4 * 3_600_000, longAgo);
    expect(status.kinds.map((k) => [k.kind, k.stale])).toEqual([['daily', false], ['weekly', false], ['monthly', false], ['manual', false]]);
    // A manual backup that failed verification does not.
    const failed = statusOf([row('m-bad', 'manual', 'VERIFICATION_FAILED', 3)], {}, now, 4 * 3_600_000, longAgo);
    expect(failed.kinds.filter((k) => k.stale).map((k) => k.kind)).toEqual(['daily', 'weekly', 'monthly']);
  });
});
