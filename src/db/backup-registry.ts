/**
 * Reads the backup registry (the `backups` table of the backup work) when it exists. Monitoring
 * must not depend on that table being deployed: without it, backups are simply "unavailable".
 *
 * @module
 */
import { abandonedAs } from '../domain/backups.ts';
import { listBackupRows } from './backups.ts';
import type { Queryable } from './pool.ts';

export interface BackupKindStatus {
  kind: string;
  /** Newest backup whose files were written (COMPLETED or VERIFIED). */
  lastSuccessAt: Date | null;
  /** Newest backup restored and compared (the only kind that counts). */
  lastVerifiedAt: Date | null;
  /** The instant the newest verified backup shows (its snapshot): what staleness is measured from. */
  lastVerifiedSnapshotAt: Date | null;
  /** Status of the newest finished backup of the kind. */
  lastStatus: string | null;
  lastFinishedAt: Date | null;
}

/**
 * Per kind, or `undefined` when there is no backup registry in this database. A backup still
 * RUNNING (or COMPLETED, unverified) after `abandonedAfterMs` counts as failed at once
 * (`abandonedAs`): its run timed out, and the next run only records that much later.
 */
export async function backupStatusByKind(sql: Queryable, now: Date, abandonedAfterMs: number): Promise<BackupKindStatus[] | undefined> {
  const [exists] = await sql<{ present: boolean }[]>`select to_regclass('backups') is not null as present`;
  if (!exists?.present) return undefined;
  const rows = await listBackupRows(sql);
  const kinds = [...new Set(rows.map((r) => r.kind))].sort();
  return kinds.map((kind) => {
    const mine = rows.filter((r) => r.kind === kind);
    const verified = mine.filter((r) => r.status === 'VERIFIED');
    const ended = mine
      .map((r) => ({ status: abandonedAs(r, now, abandonedAfterMs) ?? r.status, at: (r.finishedAt ?? r.startedAt).getTime() }))
      .filter((r) => r.status !== 'RUNNING')
      .sort((a, b) => b.at - a.at);
    return {
      kind,
      lastSuccessAt: latest(mine.filter((r) => r.status === 'COMPLETED' || r.status === 'VERIFIED').map((r) => r.finishedAt)),
      lastVerifiedAt: latest(verified.map((r) => r.verifiedAt)),
      lastVerifiedSnapshotAt: latest(verified.map((r) => r.snapshotAt ?? r.startedAt)),
      lastStatus: ended[0]?.status ?? null,
      lastFinishedAt: latest(mine.map((r) => r.finishedAt)),
    };
  });
}

/**
 * When this database was installed: its first migration. A new install's scheduled backups are
 * measured from here until their first verified backup (src/domain/backups.ts freshnessBaseline).
 */
export async function installedAt(sql: Queryable): Promise<Date | null> {
  const [row] = await sql<{ at: Date | null }[]>`select min(applied_at) as at from schema_migrations`;
  return row?.at ?? null;
}

function latest(dates: (Date | null)[]): Date | null {
  return dates.reduce<Date | null>((best, d) => (d && (!best || d > best) ? d : best), null);
}
