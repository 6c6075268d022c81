/**
 * Versioned SQL migrations (`src/db/migrations/NNNN_<what>.sql`), applied in one transaction under
 * an advisory lock so that processes starting together never race. An applied migration whose file
 * later changed is an error: migrations are history, not configuration.
 *
 * @module
 */
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { Logger } from '../config/logger.ts';
import { grantAppRole, setAuditRetention } from './grants.ts';
import type { Queryable, Sql } from './pool.ts';

export const MIGRATIONS_DIR = fileURLToPath(new URL('./migrations/', import.meta.url));

/** Key of the advisory lock held while migrating ('breeze-trader migrations'). */
const MIGRATION_LOCK = 7_318_402_111;

export interface Migration {
  version: number;
  name: string;
  sql: string;
  checksum: string;
}

export async function loadMigrations(dir = MIGRATIONS_DIR): Promise<Migration[]> {
  const files = (await readdir(dir)).filter((f) => /^\d{4}_[\w-]+\.sql$/.test(f)).sort();
  return Promise.all(
    files.map(async (file) => {
      const sql = await readFile(new URL(file, `file://${dir}/`), 'utf8');
      return {
        version: Number(file.slice(0, 4)),
        name: file.slice(5, -4),
        sql,
        checksum: createHash('sha256').update(sql).digest('hex'),
      };
    }),
  );
}

export interface MigrateOptions {
  /** The login role the application runs as; it gets only the rights it needs. */
  appRole?: string | undefined;
  /** AUDIT_RETENTION_DAYS: the database then refuses to archive younger audit records. */
  auditRetentionDays?: number | undefined;
  dir?: string;
  /** Stop after this version (a scratch database rebuilt to a backup's schema version). */
  upTo?: number | undefined;
}

/** Apply every pending migration; returns the versions applied now and the schema version. */
export async function migrate(sql: Sql, log: Logger, options: MigrateOptions = {}): Promise<{ applied: number[]; version: number }> {
  const upTo = options.upTo;
  const migrations = (await loadMigrations(options.dir)).filter((m) => upTo === undefined || m.version <= upTo);
  return sql.begin(async (tx) => {
    await tx`select pg_advisory_xact_lock(${MIGRATION_LOCK})`;
    await tx`
      create table if not exists schema_migrations (
        version int primary key,
        name text not null,
        checksum text not null,
        applied_at timestamptz not null default now()
      )`;
    const done = new Map((await tx<{ version: number; checksum: string }[]>`select version, checksum from schema_migrations`).map((r) => [r.version, r.checksum]));
    const applied: number[] = [];
    for (const m of migrations) {
      const checksum = done.get(m.version);
      if (checksum !== undefined) {
        if (checksum !== m.checksum) throw new Error(`migration ${m.version}_${m.name} was changed after it was applied`);
        continue;
      }
      await tx.unsafe(m.sql);
      await tx`insert into schema_migrations (version, name, checksum) values (${m.version}, ${m.name}, ${m.checksum})`;
      applied.push(m.version);
      log.info({ version: m.version, name: m.name }, 'migration applied');
    }
    if (options.appRole) await grantAppRole(tx, options.appRole);
    if (options.auditRetentionDays !== undefined) await setAuditRetention(tx, options.auditRetentionDays);
    const version = migrations.at(-1)?.version ?? 0;
    return { applied, version };
  });
}

/** The highest applied migration, or 0 on an empty database. */
export async function schemaVersion(sql: Queryable): Promise<number> {
  const [exists] = await sql<{ present: boolean }[]>`select to_regclass('schema_migrations') is not null as present`;
  if (!exists?.present) return 0;
  const [row] = await sql<{ version: number | null }[]>`select max(version) as version from schema_migrations`;
  return row?.version ?? 0;
}
