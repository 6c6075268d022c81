import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { backupActivities } from '../../src/activities/backup.ts';
import { createAuditLog } from '../../src/audit/append.ts';
import { verifyChain } from '../../src/audit/verify.ts';
import { backupDir, backupRoot } from '../../src/backup/files.ts';
import type { Config } from '../../src/config.ts';
import { backupStatusByKind } from '../../src/db/backup-registry.ts';
import { getBackupRow, listBackupRows } from '../../src/db/backups.ts';
import type { BackupStatus } from '../../src/domain/backups.ts';
import { seedTrades } from '../support/backup-data.ts';
import { testConfig } from '../support/config.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { silentLogger } from '../support/logger.ts';
import { sealAudit } from '../../src/audit/seal.ts';

let db: TestDatabase;
let config: Config;
beforeAll(async () => {
  db = await createTestDatabase();
  config = testConfig({ DATABASE_URL: db.url, DATABASE_ADMIN_URL: db.adminUrl, BACKUP_KEEP_DAILY: '3' });
  await seedTrades(db.sql, createAuditLog(), config.account.ACCOUNT_ID, 3);
});
afterAll(async () => db?.drop());

/** The backup activities outside Temporal (they need no broker or client). */
const activities = (now?: () => Date) => backupActivities({ config, sql: db.sql, audit: createAuditLog(), log: silentLogger, broker: undefined as never, prices: undefined as never, temporal: undefined as never, breaker: undefined as never, trades: undefined as never, now });

async function auditCount(type: string): Promise<number> {
  await sealAudit(db.sql);
  const [row] = await db.sql<{ n: number }[]>`select count(*)::int as n from audit_events where event_type = ${type}`;
  return row!.n;
}

it('records a backup whose file was damaged before verification as VERIFICATION_FAILED, audited', async () => {
  const act = activities();
  await act.createBackup({ backupId: 'manual-20260101t000000z-damaged', kind: 'manual' });
  const row = await getBackupRow(db.sql, 'manual-20260101t000000z-damaged');
  const file = path.join(row!.directory, 'data/trades.copy.gz');
  const bytes = await readFile(file);
  bytes[10]! ^= 0xff;
  await writeFile(file, bytes);
  const outcome = await act.verifyBackup({ backupId: row!.id });
  expect(outcome).toMatchObject({ ok: false, problems: ['data/trades.copy.gz: SHA-256 differs from the manifest (file altered or corrupted)'] });
  expect(await getBackupRow(db.sql, row!.id)).toMatchObject({ status: 'VERIFICATION_FAILED' });
  expect(await auditCount('BACKUP_VERIFICATION_FAILED')).toBe(1);
  expect(JSON.parse(await readFile(path.join(row!.directory, 'verification.json'), 'utf8'))).toMatchObject({ ok: false });
});

it('applies retention: removes files and registry rows beyond the settings, audited, and keeps the newest verified backup', async () => {
  await db.sql`delete from backups`; // this test owns the registry
  const root = backupRoot(config);
  const day = (n: number) => new Date(Date.UTC(2026, 5, 30 - n, 10, 30));
  const insert = async (id: string, status: BackupStatus, startedAt: Date) => {
    const dir = backupDir(root, id);
    await mkdir(dir, { recursive: true });
    await writeFile(path.join(dir, 'manifest.json'), '{}');
    await db.sql`insert into backups (id, kind, status, directory, started_at) values (${id}, 'daily', ${status}, ${dir}, ${startedAt})`;
  };
  for (let n = 0; n < 6; n++) await insert(`daily-d${n}`, 'VERIFIED', day(n));
  await insert('daily-failed-old', 'FAILED', day(7));
  const before = await auditCount('BACKUP_REMOVED');

  const { removed } = await activities(() => new Date(Date.UTC(2026, 5, 30, 12))).applyBackupRetention();
  expect(removed.sort()).toEqual(['daily-d3', 'daily-d4', 'daily-d5', 'daily-failed-old']);
  const left = (await listBackupRows(db.sql)).map((r) => r.id);
  expect(left).toEqual(['daily-d0', 'daily-d1', 'daily-d2']);
  expect(existsSync(backupDir(root, 'daily-d5'))).toBe(false);
  expect(existsSync(backupDir(root, 'daily-d0'))).toBe(true);
  expect((await auditCount('BACKUP_REMOVED')) - before).toBe(4);
  expect((await verifyChain(db.sql)).ok).toBe(true);

  // Running it again removes nothing more.
  expect((await activities(() => new Date(Date.UTC(2026, 5, 30, 12))).applyBackupRetention()).removed).toEqual([]);
});

it('records a backup whose run timed out as failed: at once in the status, then in the registry, audited, before the next run', async () => {
  const hoursAgo = (h: number) => new Date(Date.now() - h * 3_600_000);
  const insert = (id: string, kind: string, status: BackupStatus, startedAt: Date) =>
    db.sql`insert into backups (id, kind, status, directory, started_at) values (${id}, ${kind}, ${status}, ${backupDir(backupRoot(config), id)}, ${startedAt})`;
  // BACKUP_TIMEOUT_MIN is 240: these two runs are long over, the third may still be going.
  await insert('weekly-timed-out-writing', 'weekly', 'RUNNING', hoursAgo(5));
  await insert('monthly-timed-out-verifying', 'monthly', 'COMPLETED', hoursAgo(6));
  await insert('monthly-still-running', 'monthly', 'RUNNING', hoursAgo(1));

  const status = await backupStatusByKind(db.sql, new Date(), config.backup.BACKUP_TIMEOUT_MIN * 60_000);
  expect(status?.find((s) => s.kind === 'weekly')?.lastStatus).toBe('FAILED');
  expect(status?.find((s) => s.kind === 'monthly')?.lastStatus).toBe('VERIFICATION_FAILED');

  const failedBefore = await auditCount('BACKUP_FAILED');
  await activities().createBackup({ backupId: 'manual-20260102t000000z-next', kind: 'manual' });
  expect(await getBackupRow(db.sql, 'weekly-timed-out-writing')).toMatchObject({ status: 'FAILED', error: expect.stringContaining('BACKUP_TIMEOUT_MIN') });
  expect(await getBackupRow(db.sql, 'monthly-timed-out-verifying')).toMatchObject({ status: 'VERIFICATION_FAILED' });
  expect(await getBackupRow(db.sql, 'monthly-still-running')).toMatchObject({ status: 'RUNNING' });
  expect((await auditCount('BACKUP_FAILED')) - failedBefore).toBe(1);
  await sealAudit(db.sql);
  const [audited] = await db.sql`select payload from audit_events where event_type = 'BACKUP_VERIFICATION_FAILED' and payload->>'backupId' = 'monthly-timed-out-verifying'`;
  expect(audited!.payload).toMatchObject({ kind: 'monthly', abandoned: true });
});
