/**
 * GET /backup/status's read: the backup registry's rows and what Temporal says of each kind's
 * schedule, made into the status by src/backup/status.ts.
 *
 * @module
 */
import type { Client } from '@temporalio/client';
import { type BackupStatus, statusOf } from '../backup/status.ts';
import type { Config } from '../config.ts';
import { installedAt } from '../db/backup-registry.ts';
import { listBackupRows } from '../db/backups.ts';
import type { Queryable } from '../db/pool.ts';
import { describeBackupSchedule } from './schedules.ts';

export async function backupStatus(sql: Queryable, client: Client, config: Config, now = new Date()): Promise<BackupStatus> {
  const [rows, installed, daily, weekly, monthly] = await Promise.all([
    listBackupRows(sql),
    installedAt(sql),
    describeBackupSchedule(client, config, 'daily'),
    describeBackupSchedule(client, config, 'weekly'),
    describeBackupSchedule(client, config, 'monthly'),
  ]);
  return statusOf(rows, { daily, weekly, monthly }, now, config.backup.BACKUP_TIMEOUT_MIN * 60_000, installed);
}
