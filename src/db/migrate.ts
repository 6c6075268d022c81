/**
 * Versioned SQL migrations (`src/db/migrations/NNNN_<what>.sql`), applied in one transaction under
 * an advisory lock so that processes starting together never race. An applied migration whose file
 * later changed is an error: migrations are history, not configuration. The exceptions are listed
 * in REWORDED_COMMENTS: comment lines reworded, statements unchanged, and checked so.
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

/**
 * Migrations whose comment lines were reworded after release (to cite docs/ instead of notes that
 * were never part of the repository): the checksum an install recorded for the earlier text, and
 * the checksum of the statements, which the file must still have. Such an install's row is then
 * given the file's checksum; any other difference is still an error.
 */
export const REWORDED_COMMENTS: Readonly<Record<number, { applied: string; statements: string }>> = {
  20: { applied: '9fe9018f81eb53ca82d6514ead1e9e4c6c5629275557770574cd87db46d26a06', statements: '725e3a2579624ec870557574a57809cf52c1c766efc49fc53c078958bea04fd4' },
  21: { applied: 'df5d23ab872d260332bd8e829d991514fa3ce172fdec78abf7fbe8b76ff1d456', statements: '74bf3e7165797b541b82cb44cc01de64057e0c69c20448ab9bc02de81592e939' },
};

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** A migration's text without its whole-line comments. */
const statementsOf = (sql: string) =>
  sql
    .split('\n')
    .filter((line) => !/^\s*--/.test(line))
    .join('\n');

/** Whether an install that recorded `checksum` applied this migration before its comments were reworded. */
function appliedBeforeRewording(m: Migration, checksum: string): boolean {
  const reworded = REWORDED_COMMENTS[m.version];
  return reworded?.applied === checksum && reworded.statements === sha256(statementsOf(m.sql));
}

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
        checksum: sha256(sql),
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
        if (checksum === m.checksum) continue;
        if (!appliedBeforeRewording(m, checksum)) throw new Error(`migration ${m.version}_${m.name} was changed after it was applied`);
        await tx`update schema_migrations set checksum = ${m.checksum} where version = ${m.version}`;
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
