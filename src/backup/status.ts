/**
 * What GET /backup/status reports: per kind, the last successful and the last verified backup
 * (sizes, durations), recent failures, the schedule's next run (from Temporal's describe()), and
 * whether the kind is stale — its newest verified backup (or a newer verified manual one; with
 * none, the install) older than its schedule allows. Pure:
 * src/temporal/backup-status.ts reads the rows and the schedules and hands them in.
 *
 * @module
 */
import type { BackupRow } from '../db/backups.ts';
import { ABANDONED_ERROR, abandonedAs, BACKUP_KINDS, type BackupKind, freshnessBaseline, isScheduledKind, isStale, MAX_BACKUP_AGE_MS } from '../domain/backups.ts';

/** Failures listed per kind (newest first). */
const RECENT_FAILURES = 5;

/** What a kind's schedule says about itself (read from Temporal by src/temporal/schedules.ts). */
export interface ScheduleState {
  scheduleId: string;
  paused: boolean;
  nextRunAt: string | null;
  /** Recent runs the schedule started (Temporal keeps the last few). */
  recentRuns: { scheduledAt: string; workflowId: string }[];
}

export interface BackupSummary {
  id: string;
  status: BackupRow['status'];
  startedAt: string;
  snapshotAt: string | null;
  finishedAt: string | null;
  durationMs: number | null;
  verifiedAt: string | null;
  verifyDurationMs: number | null;
  tables: number | null;
  rows: number | null;
  bytes: number | null;
  encrypted: boolean;
  error: string | null;
}

export interface KindStatus {
  kind: BackupKind;
  lastSuccessful: BackupSummary | null;
  lastVerified: BackupSummary | null;
  /** True when the newest verified backup (a manual one counts) is older than the schedule allows; with none, once the first run was due after the install. */
  stale: boolean;
  maxAgeHours: number | null;
  /** `null` for manual backups, and when the schedule is missing or Temporal does not answer. */
  schedule: ScheduleState | null;
  failures: BackupSummary[];
}

export interface BackupStatus {
  generatedAt: string;
  stale: boolean;
  kinds: KindStatus[];
}

const iso = (d: Date | null) => (d ? d.toISOString() : null);

export function summarize(row: BackupRow): BackupSummary {
  return {
    id: row.id,
    status: row.status,
    startedAt: row.startedAt.toISOString(),
    snapshotAt: iso(row.snapshotAt),
    finishedAt: iso(row.finishedAt),
    durationMs: row.durationMs,
    verifiedAt: iso(row.verifiedAt),
    verifyDurationMs: row.verifyDurationMs,
    tables: row.tables,
    rows: row.rowCount,
    bytes: row.bytes,
    encrypted: row.encrypted,
    error: row.error,
  };
}

/**
 * The status from registry rows (newest first) and schedule states; pure, for tests. A run older
 * than `inFlightMs` that never recorded its end shows as the failure it was. `installedAt` (the
 * first migration): before a kind's first run was due, a new install without backups is not stale.
 */
export function statusOf(rows: readonly BackupRow[], schedules: Partial<Record<BackupKind, ScheduleState>>, now: Date, inFlightMs: number, installedAt?: Date | null): BackupStatus {
  const settled = rows.map((r) => {
    const failed = abandonedAs(r, now, inFlightMs);
    return failed ? { ...r, status: failed, error: r.error ?? ABANDONED_ERROR } : r;
  });
  // Age from the snapshot: that is the point a restore would return to.
  const snapshotOf = (r: BackupRow | undefined) => (r ? (r.snapshotAt ?? r.startedAt) : undefined);
  const manualVerifiedAt = snapshotOf(settled.find((r) => r.kind === 'manual' && r.status === 'VERIFIED'));
  const kinds = BACKUP_KINDS.map((kind): KindStatus => {
    const mine = settled.filter((r) => r.kind === kind);
    const lastSuccessful = mine.find((r) => r.status === 'COMPLETED' || r.status === 'VERIFIED');
    const lastVerified = mine.find((r) => r.status === 'VERIFIED');
    return {
      kind,
      lastSuccessful: lastSuccessful ? summarize(lastSuccessful) : null,
      lastVerified: lastVerified ? summarize(lastVerified) : null,
      stale: isStale(kind, freshnessBaseline(snapshotOf(lastVerified), manualVerifiedAt, installedAt), now),
      maxAgeHours: isScheduledKind(kind) ? MAX_BACKUP_AGE_MS[kind] / 3_600_000 : null,
      schedule: schedules[kind] ?? null,
      failures: mine.filter((r) => r.status === 'FAILED' || r.status === 'VERIFICATION_FAILED').slice(0, RECENT_FAILURES).map(summarize),
    };
  });
  return { generatedAt: now.toISOString(), stale: kinds.some((k) => k.stale), kinds };
}
