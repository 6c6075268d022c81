/**
 * Which backups to keep: grandfather-father-son retention
 * (docs/backup-and-recovery.md#grandfather-father-son-retention). Per
 * kind, a backup is kept when it is the newest verified backup of its period and that period is
 * among the newest N periods of the kind: days for daily backups (IST calendar days), ISO weeks
 * for weekly ones, months for monthly ones, and each manual backup its own period.
 *
 * Only verified backups fill the slots, because only they count as good; the newest verified
 * backup is never removed, whatever the settings say. Backups still being written or verified are
 * left alone until they are older than the longest a backup may run. Failed ones are kept as
 * evidence while they are newer than the newest verified backup (at most a few), and go once a
 * good backup follows them.
 *
 * @module
 */
import { abandonedAs, type BackupKind, type BackupStatus } from './backups.ts';
import { istParts } from './market-calendar.ts';

export interface RetainedBackup {
  id: string;
  kind: BackupKind;
  status: BackupStatus;
  startedAt: Date;
}

export interface RetentionPolicy {
  keep: Record<BackupKind, number>;
  /** A RUNNING or COMPLETED backup older than this was abandoned (its workflow timed out). */
  inFlightMs: number;
  /** Failed backups kept as evidence while no verified backup has followed them. */
  keepFailed: number;
}

export type RemovalReason = 'beyond-retention' | 'superseded-in-period' | 'abandoned' | 'failed';

export interface RetentionPlan {
  keep: string[];
  remove: { id: string; reason: RemovalReason }[];
}

/** Newest first; ties broken by id so the plan never depends on input order. */
function newestFirst(a: RetainedBackup, b: RetainedBackup): number {
  return b.startedAt.getTime() - a.startedAt.getTime() || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0);
}

/** ISO 8601 week of an IST calendar date, as `YYYY-Www` (weeks start on Monday). */
export function isoWeek(date: string): string {
  const day = new Date(`${date}T00:00:00.000Z`);
  const weekday = (day.getUTCDay() + 6) % 7; // Monday = 0
  const thursday = new Date(day.getTime() + (3 - weekday) * 86_400_000); // the week belongs to its Thursday's year
  const year = thursday.getUTCFullYear();
  const week = 1 + Math.floor((thursday.getTime() - Date.UTC(year, 0, 1)) / (7 * 86_400_000));
  return `${year}-W${String(week).padStart(2, '0')}`;
}

/** The retention period a backup of this kind falls in. */
export function periodOf(backup: RetainedBackup): string {
  const { date } = istParts(backup.startedAt);
  switch (backup.kind) {
    case 'daily':
      return date;
    case 'weekly':
      return isoWeek(date);
    case 'monthly':
      return date.slice(0, 7);
    case 'manual':
      return backup.id;
  }
}

export function planRetention(backups: readonly RetainedBackup[], policy: RetentionPolicy, now: Date): RetentionPlan {
  const sorted = [...backups].sort(newestFirst);
  const keep = new Set<string>();
  const remove = new Map<string, RemovalReason>();
  const verified = sorted.filter((b) => b.status === 'VERIFIED');
  const newestVerified = verified[0];
  if (newestVerified) keep.add(newestVerified.id);

  // Verified: the newest of each period, for the newest N periods of each kind.
  const periodsSeen = new Map<BackupKind, Set<string>>();
  for (const b of verified) {
    const seen = periodsSeen.get(b.kind) ?? new Set<string>();
    periodsSeen.set(b.kind, seen);
    const period = periodOf(b);
    if (seen.has(period)) {
      if (!keep.has(b.id)) remove.set(b.id, 'superseded-in-period');
      continue;
    }
    seen.add(period);
    if (seen.size <= policy.keep[b.kind]) keep.add(b.id);
    else if (!keep.has(b.id)) remove.set(b.id, 'beyond-retention');
  }

  let failedKept = 0;
  for (const b of sorted) {
    if (b.status === 'VERIFIED') continue;
    if (b.status === 'RUNNING' || b.status === 'COMPLETED') {
      if (abandonedAs(b, now, policy.inFlightMs)) remove.set(b.id, 'abandoned');
      else keep.add(b.id);
      continue;
    }
    const newerThanGood = !newestVerified || newestFirst(b, newestVerified) < 0;
    if (newerThanGood && failedKept < policy.keepFailed) {
      keep.add(b.id);
      failedKept++;
    } else {
      remove.set(b.id, 'failed');
    }
  }

  return {
    keep: sorted.filter((b) => keep.has(b.id)).map((b) => b.id),
    remove: sorted.filter((b) => remove.has(b.id)).map((b) => ({ id: b.id, reason: remove.get(b.id)! })),
  };
}
