/**
 * Reads the backup registry (the `backups` table of the backup work) when it exists. Monitoring
 * must not depend on that table being deployed: without it, backups are simply "unavailable".
 *
 * @module
 */
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

/** Per kind, or `undefined` when there is no backup registry in this database. */
export async function backupStatusByKind(sql: Queryable): Promise<BackupKindStatus[] | undefined> {
  const [exists] = await sql<{ present: boolean }[]>`select to_regclass('backups') is not null as present`;
  if (!exists?.present) return undefined;
  return sql<BackupKindStatus[]>`
    select kind,
      max(finished_at) filter (where status in ('COMPLETED', 'VERIFIED')) as "lastSuccessAt",
      max(verified_at) filter (where status = 'VERIFIED') as "lastVerifiedAt",
      max(coalesce(snapshot_at, started_at)) filter (where status = 'VERIFIED') as "lastVerifiedSnapshotAt",
      (array_agg(status order by finished_at desc nulls last) filter (where status <> 'RUNNING'))[1] as "lastStatus",
      max(finished_at) as "lastFinishedAt"
    from backups group by kind order by kind`;
}
