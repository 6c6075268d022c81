/**
 * What a backup is, in the domain's terms: its kind (which schedule made it), the states it moves
 * through, and how old the newest good one may be before the system says backups are stale.
 *
 * Only a verified backup counts as good (ARCHITECTURE.md invariant 5: a backup counts only once
 * it has been restored and compared).
 *
 * @module
 */

export const BACKUP_KINDS = ['daily', 'weekly', 'monthly', 'manual'] as const;
export type BackupKind = (typeof BACKUP_KINDS)[number];

/** Kinds a schedule makes; `manual` comes from POST /backup/run. */
export const SCHEDULED_KINDS = ['daily', 'weekly', 'monthly'] as const satisfies readonly BackupKind[];
export type ScheduledKind = (typeof SCHEDULED_KINDS)[number];

/**
 * RUNNING: files being written. COMPLETED: written, not yet verified. VERIFIED: restored into a
 * scratch database and compared. FAILED / VERIFICATION_FAILED: not usable.
 */
export const BACKUP_STATUSES = ['RUNNING', 'COMPLETED', 'VERIFIED', 'FAILED', 'VERIFICATION_FAILED'] as const;
export type BackupStatus = (typeof BACKUP_STATUSES)[number];

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/**
 * How old the newest verified backup of a kind may be. A day plus two hours of slack for the
 * daily one (a slow run, a restarted worker), a week plus a day, a month (31 days) plus a day.
 */
export const MAX_BACKUP_AGE_MS: Record<ScheduledKind, number> = {
  daily: 26 * HOUR,
  weekly: 8 * DAY,
  monthly: 32 * DAY,
};

/** Backup ids are file names too: lower-case letters, digits and dashes only. */
export const BACKUP_ID_PATTERN = /^[a-z0-9][a-z0-9-]{0,79}$/;

export function isScheduledKind(kind: BackupKind): kind is ScheduledKind {
  return kind !== 'manual';
}

/**
 * True when the newest verified backup of a scheduled kind is older than its schedule allows, or
 * there is none at all (no good backup is the stalest state there is). Manual backups are never
 * stale: nothing promises them.
 */
export function isStale(kind: BackupKind, lastVerifiedAt: Date | undefined, now: Date): boolean {
  if (!isScheduledKind(kind)) return false;
  if (!lastVerifiedAt) return true;
  return now.getTime() - lastVerifiedAt.getTime() > MAX_BACKUP_AGE_MS[kind];
}

/**
 * What a scheduled kind's freshness is measured from: its newest verified backup, or a newer
 * verified manual one (a manual backup restores just as well); with neither, the install itself, so
 * a new install is not stale before its first scheduled run (plus the kind's slack) was due.
 * `undefined` (stale) when none is known. All instants are the snapshots' (what a restore returns to).
 */
export function freshnessBaseline(ownVerifiedAt: Date | null | undefined, manualVerifiedAt: Date | null | undefined, installedAt: Date | null | undefined): Date | undefined {
  const verified = [ownVerifiedAt, manualVerifiedAt].filter((d): d is Date => d instanceof Date);
  if (verified.length) return new Date(Math.max(...verified.map((d) => d.getTime())));
  return installedAt ?? undefined;
}

/**
 * What a backup still RUNNING (writing) or COMPLETED (verifying) after the longest a run may take
 * became: its run timed out or was ended without recording how, so it failed at the step it was
 * in. `undefined` while it may still finish.
 */
/** The error an abandoned backup is recorded with. */
export const ABANDONED_ERROR = 'did not finish within BACKUP_TIMEOUT_MIN: the run timed out or was ended';

export function abandonedAs(b: { status: BackupStatus; startedAt: Date }, now: Date, inFlightMs: number): 'FAILED' | 'VERIFICATION_FAILED' | undefined {
  if (b.status !== 'RUNNING' && b.status !== 'COMPLETED') return undefined;
  if (now.getTime() - b.startedAt.getTime() <= inFlightMs) return undefined;
  return b.status === 'RUNNING' ? 'FAILED' : 'VERIFICATION_FAILED';
}

/**
 * A backup id: the kind, the UTC time to the second and a short random suffix, e.g.
 * `daily-20260312t103000z-9f3a`. Sorting ids of one kind sorts them by time.
 */
export function backupIdFor(kind: BackupKind, at: Date, suffix: string): string {
  const stamp = at.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '').toLowerCase();
  return `${kind}-${stamp}-${suffix.toLowerCase().replace(/[^a-z0-9]/g, '').slice(0, 8)}`;
}
