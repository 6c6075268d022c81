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

/**
 * Per kind, or `undefined` when there is no backup registry in this database. A backup still
 * RUNNING (or COMPLETED, unverified) after `abandonedAfterMs` counts as failed at once: its run
 * timed out, and the next run only records that much later (the rule of `abandonedAs`, in SQL).
 */
export async function backupStatusByKind(sql: Queryable, abandonedAfterMs: number): Promise<BackupKindStatus[] | undefined> {
  const [exists] = await sql<{ present: boolean }[]>`select to_regclass('backups') is not null as present`;
  if (!exists?.present) return undefined;
  return sql<BackupKindStatus[]>`
    with b as (
      select kind, status, finished_at, verified_at, snapshot_at, started_at,
        case when status in ('RUNNING', 'COMPLETED') and started_at < now() - ${abandonedAfterMs} * interval '1 millisecond'
          then case status when 'RUNNING' then 'FAILED' else 'VERIFICATION_FAILED' end
          else status end as effective
      from backups)
    select kind,
      max(finished_at) filter (where status in ('COMPLETED', 'VERIFIED')) as "lastSuccessAt",
      max(verified_at) filter (where status = 'VERIFIED') as "lastVerifiedAt",
      max(coalesce(snapshot_at, started_at)) filter (where status = 'VERIFIED') as "lastVerifiedSnapshotAt",
      (array_agg(effective order by coalesce(finished_at, started_at) desc) filter (where effective <> 'RUNNING'))[1] as "lastStatus",
      max(finished_at) as "lastFinishedAt"
    from b group by kind order by kind`;
}
