/**
 * A database of its own for each test file: a copy of the migrated template, reached as the
 * application role (what the system runs as) and as a superuser (what an attacker with full rights
 * could do behind the application's back).
 */
import { randomBytes } from 'node:crypto';
import postgres from 'postgres';
import { inject } from 'vitest';
import { createSql, type Sql } from '../../src/db/pool.ts';

export interface TestDatabase {
  name: string;
  /** As the application role. */
  sql: Sql;
  /** As a superuser. */
  admin: Sql;
  url: string;
  adminUrl: string;
  drop(): Promise<void>;
}

export async function createTestDatabase(): Promise<TestDatabase> {
  const base = inject('pgAdminBase');
  const name = `t_${randomBytes(6).toString('hex')}`;
  const server = postgres(`${base}/postgres`, { max: 1, onnotice: () => {} });
  await server.unsafe(`create database ${name} template bt_template`);
  await server.end();
  const appBase = base.replace(/\/\/[^@]*@/, `//${inject('pgAppRole')}:${encodeURIComponent(inject('pgAppPassword'))}@`);
  const url = `${appBase}/${name}`;
  const adminUrl = `${base}/${name}`;
  const options = { max: 10, idleTimeoutS: 10, connectTimeoutS: 10, statementTimeoutMs: 30_000, applicationName: 'test' };
  const sql = createSql(url, options);
  const admin = createSql(adminUrl, { ...options, max: 2 });
  return {
    name,
    sql,
    admin,
    url,
    adminUrl,
    async drop() {
      await sql.end({ timeout: 5 });
      await admin.end({ timeout: 5 });
      const s = postgres(`${base}/postgres`, { max: 1, onnotice: () => {} });
      await s.unsafe(`drop database if exists ${name} with (force)`);
      await s.end();
    },
  };
}
