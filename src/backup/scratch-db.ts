/**
 * Scratch databases for verification: created next to the live one on the same server, with the
 * schema owner's rights (CREATEDB), and always dropped afterwards.
 *
 * @module
 */
import { createSql, type Sql } from '../db/pool.ts';

/** The same server and credentials, another database. */
export function databaseUrl(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${encodeURIComponent(database)}`;
  return u.toString();
}

/** A name PostgreSQL accepts (at most 63 bytes) that says what it is for. */
export function scratchName(backupId: string): string {
  return `bt_verify_${backupId.replace(/[^a-z0-9]/g, '_')}`.slice(0, 63);
}

const OPTIONS = { max: 2, idleTimeoutS: 10, connectTimeoutS: 10, statementTimeoutMs: 0, applicationName: 'backup-verify' };

export interface ScratchDatabase {
  name: string;
  sql: Sql;
  drop(): Promise<void>;
}

async function onServer<T>(adminUrl: string, fn: (sql: Sql) => Promise<T>): Promise<T> {
  const server = createSql(adminUrl, { ...OPTIONS, max: 1 });
  try {
    return await fn(server);
  } finally {
    await server.end({ timeout: 5 });
  }
}

/** Create `name` (replacing a leftover of a crashed attempt) and connect to it. */
export async function createScratchDatabase(adminUrl: string, name: string): Promise<ScratchDatabase> {
  await onServer(adminUrl, async (server) => {
    await server`drop database if exists ${server(name)} with (force)`;
    await server`create database ${server(name)}`;
  });
  const sql = createSql(databaseUrl(adminUrl, name), OPTIONS);
  return {
    name,
    sql,
    async drop() {
      await sql.end({ timeout: 5 });
      await onServer(adminUrl, (server) => server`drop database if exists ${server(name)} with (force)`);
    },
  };
}
