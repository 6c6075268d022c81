/**
 * Queries of the `backups` registry: one row per backup, moved through its states by the backup
 * activities (each change with its audit record, in the caller's transaction).
 *
 * @module
 */
import type { BackupKind, BackupStatus } from '../domain/backups.ts';
import type { Queryable } from './pool.ts';

export interface BackupRow {
  id: string;
  kind: BackupKind;
  status: BackupStatus;
  directory: string;
  workflowId: string | null;
  startedAt: Date;
  snapshotAt: Date | null;
  finishedAt: Date | null;
  durationMs: number | null;
  verifiedAt: Date | null;
  verifyDurationMs: number | null;
  tables: number | null;
  rowCount: number | null;
  bytes: number | null;
  schemaVersion: number | null;
  encrypted: boolean;
  manifestSha256: string | null;
  error: string | null;
}

const columns = (sql: Queryable) => sql`
  id, kind, status, directory, workflow_id as "workflowId", started_at as "startedAt", snapshot_at as "snapshotAt",
  finished_at as "finishedAt", duration_ms as "durationMs", verified_at as "verifiedAt", verify_duration_ms as "verifyDurationMs",
  tables, row_count as "rowCount", bytes, schema_version as "schemaVersion", encrypted, manifest_sha256 as "manifestSha256", error`;

/** Register a backup as RUNNING; a retried attempt of the same backup starts it over. */
export async function startBackupRow(sql: Queryable, row: { id: string; kind: BackupKind; directory: string; workflowId: string | null; startedAt: Date }): Promise<void> {
  await sql`
    insert into backups (id, kind, status, directory, workflow_id, started_at)
    values (${row.id}, ${row.kind}, 'RUNNING', ${row.directory}, ${row.workflowId}, ${row.startedAt})
    on conflict (id) do update set status = 'RUNNING', started_at = excluded.started_at, error = null`;
}

export interface CompletedBackup {
  snapshotAt: Date;
  finishedAt: Date;
  durationMs: number;
  tables: number;
  rowCount: number;
  bytes: number;
  schemaVersion: number;
  encrypted: boolean;
  manifestSha256: string;
}

export async function completeBackupRow(sql: Queryable, id: string, done: CompletedBackup): Promise<void> {
  await sql`
    update backups set status = 'COMPLETED', snapshot_at = ${done.snapshotAt}, finished_at = ${done.finishedAt},
      duration_ms = ${done.durationMs}, tables = ${done.tables}, row_count = ${done.rowCount}, bytes = ${done.bytes},
      schema_version = ${done.schemaVersion}, encrypted = ${done.encrypted}, manifest_sha256 = ${done.manifestSha256}, error = null
    where id = ${id}`;
}

/** Mark a backup FAILED, registering it first when it never got that far. */
export async function failBackupRow(sql: Queryable, row: { id: string; kind: BackupKind; directory: string; workflowId: string | null; error: string; at: Date }): Promise<void> {
  await sql`
    insert into backups (id, kind, status, directory, workflow_id, started_at, finished_at, error)
    values (${row.id}, ${row.kind}, 'FAILED', ${row.directory}, ${row.workflowId}, ${row.at}, ${row.at}, ${row.error})
    on conflict (id) do update set status = 'FAILED', finished_at = ${row.at}, error = ${row.error}`;
}

/**
 * Record an abandoned backup (`abandonedAs`) as the failure it was, unless it moved on meanwhile.
 * True when it was changed: the caller audits it in the same transaction.
 */
export async function settleAbandonedRow(sql: Queryable, row: { id: string; status: BackupStatus }, as: 'FAILED' | 'VERIFICATION_FAILED', error: string, at: Date): Promise<boolean> {
  const changed = await sql`
    update backups set status = ${as}, finished_at = coalesce(finished_at, ${at}), error = ${error}
    where id = ${row.id} and status = ${row.status} returning id`;
  return changed.length === 1;
}

export async function recordVerificationRow(sql: Queryable, id: string, result: { ok: boolean; at: Date; durationMs: number; error?: string | undefined }): Promise<void> {
  await sql`
    update backups set status = ${result.ok ? 'VERIFIED' : 'VERIFICATION_FAILED'}, verified_at = ${result.at},
      verify_duration_ms = ${result.durationMs}, error = ${result.error ?? null}
    where id = ${id}`;
}

export async function getBackupRow(sql: Queryable, id: string): Promise<BackupRow | undefined> {
  const [row] = await sql<BackupRow[]>`select ${columns(sql)} from backups where id = ${id}`;
  return row;
}

/** Every backup, newest first. */
export async function listBackupRows(sql: Queryable): Promise<BackupRow[]> {
  return sql<BackupRow[]>`select ${columns(sql)} from backups order by started_at desc, id desc`;
}

export async function deleteBackupRow(sql: Queryable, id: string): Promise<void> {
  await sql`delete from backups where id = ${id}`;
}
