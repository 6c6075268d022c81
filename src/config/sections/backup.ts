/** Application backups. */
import { z } from 'zod';
import { int, hhmm } from '../schema.ts';

export const backupSettings = z.object({
  BACKUP_DIR: z.string().optional().describe('Directory of application backups, one folder per backup (default DATA_DIR/backups)'),
  BACKUP_DAILY_TIME: hhmm.default('16:00').describe('IST time of the daily backup (every day; after the market closes)'),
  BACKUP_WEEKLY_DAY: z.enum(['MONDAY', 'TUESDAY', 'WEDNESDAY', 'THURSDAY', 'FRIDAY', 'SATURDAY', 'SUNDAY']).default('SUNDAY').describe('Day of the weekly backup (MONDAY..SUNDAY)'),
  BACKUP_WEEKLY_TIME: hhmm.default('17:00').describe('IST time of the weekly backup'),
  BACKUP_MONTHLY_DAY: z.coerce.number().int().min(1).max(28).default(1).describe('Day of the month of the monthly backup (1-28, so every month has it)'),
  BACKUP_MONTHLY_TIME: hhmm.default('18:00').describe('IST time of the monthly backup'),
  BACKUP_KEEP_DAILY: int(1).default(7).describe('Verified daily backups kept (one per IST day)'),
  BACKUP_KEEP_WEEKLY: int(1).default(4).describe('Verified weekly backups kept (one per ISO week)'),
  BACKUP_KEEP_MONTHLY: int(1).default(12).describe('Verified monthly backups kept (one per month)'),
  BACKUP_KEEP_MANUAL: int(0).default(5).describe('Verified manual backups kept (POST /backup/run)'),
  BACKUP_ENCRYPTION_KEY: z
    .string()
    .refine((v) => /^[0-9a-fA-F]{64}$/.test(v) || (/^[A-Za-z0-9+/]{43}=?$/.test(v) && Buffer.from(v, 'base64').length === 32), 'expected 32 bytes as 64 hex characters or base64')
    .optional().describe('AES-256-GCM key for backups at rest: 64 hex characters or base64 of 32 bytes (unset: not encrypted)'),
  BACKUP_TIMEOUT_MIN: int(5).default(240).describe('Longest a backup workflow (create, verify, retention) may run, in minutes'),
}).describe('Application backups');
export type BackupSettings = z.infer<typeof backupSettings>;
