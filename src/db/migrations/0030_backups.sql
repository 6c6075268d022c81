-- The registry of application backups. The files and manifest.json on disk are the backup (they
-- alone restore a lost database); these rows are the index the workflow, retention and
-- GET /backup/status read. This table is neither backed up nor restored: it describes backups,
-- and rewinding it would forget the backups taken after the one restored.

create table backups (
  id text primary key,
  kind text not null check (kind in ('daily', 'weekly', 'monthly', 'manual')),
  status text not null check (status in ('RUNNING', 'COMPLETED', 'VERIFIED', 'FAILED', 'VERIFICATION_FAILED')),
  directory text not null,
  workflow_id text,
  started_at timestamptz not null,
  -- the instant the snapshot shows (the backup transaction's start)
  snapshot_at timestamptz,
  finished_at timestamptz,
  duration_ms int,
  verified_at timestamptz,
  verify_duration_ms int,
  tables int,
  row_count bigint,
  bytes bigint,
  schema_version int,
  encrypted boolean not null default false,
  manifest_sha256 text,
  error text
);
create index backups_kind_started on backups (kind, started_at desc);
