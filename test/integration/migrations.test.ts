import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { loadMigrations, migrate, MIGRATIONS_DIR, REWORDED_COMMENTS, schemaVersion } from '../../src/db/migrate.ts';
import { ensureAccount } from '../../src/db/accounts.ts';
import { createSql, type Sql } from '../../src/db/pool.ts';
import { appendRecord, holdHead } from '../support/audit-inbox.ts';
import { silentLogger } from '../support/logger.ts';

const name = `m_${randomBytes(5).toString('hex')}`;
/** A database left at an older schema, to migrate with data in it. */
const older = `${name}_older`;
const base = () => inject('pgAdminBase');
const pools: Sql[] = [];
const pool = (database = name) => {
  const sql = createSql(`${base()}/${database}`, { max: 2, idleTimeoutS: 5, connectTimeoutS: 5, statementTimeoutMs: 60_000, applicationName: 'migration-test' });
  pools.push(sql);
  return sql;
};
async function onServer(statement: string): Promise<void> {
  const server = postgres(`${base()}/postgres`, { max: 1, onnotice: () => {} });
  await server.unsafe(statement);
  await server.end();
}

beforeAll(async () => {
  for (const database of [name, older]) await onServer(`create database ${database}`);
});
afterAll(async () => {
  await Promise.all(pools.map((p) => p.end()));
  for (const database of [name, older]) await onServer(`drop database if exists ${database} with (force)`);
});

describe('migrations', () => {
  it('apply once when three processes start at the same time', async () => {
    const results = await Promise.all([pool(), pool(), pool()].map((sql) => migrate(sql, silentLogger, { appRole: inject('pgAppRole') })));
    const all = (await loadMigrations()).map((m) => m.version);
    expect(results.flatMap((r) => r.applied).sort((a, b) => a - b)).toEqual(all);
    const [rows] = await pool()`select count(*)::int as n, count(distinct version)::int as d from schema_migrations`;
    expect(rows).toEqual({ n: all.length, d: all.length });
    expect(await schemaVersion(pool())).toBe(all.at(-1));
  });

  it('are a no-op on an up-to-date database', async () => {
    expect((await migrate(pool(), silentLogger)).applied).toEqual([]);
  });

  it('refuse to run when an applied migration was edited', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'bt-mig-'));
    for (const file of readdirSync(MIGRATIONS_DIR)) writeFileSync(path.join(dir, file), readFileSync(path.join(MIGRATIONS_DIR, file)));
    const first = readdirSync(dir).sort()[0]!;
    writeFileSync(path.join(dir, first), `${readFileSync(path.join(dir, first), 'utf8')}\n-- edited`);
    await expect(migrate(pool(), silentLogger, { dir })).rejects.toThrow(/was changed after it was applied/);
  });

  it('accept an install that applied a migration before its comments were reworded, and record the file as applied', async () => {
    const [version, earlier] = Object.entries(REWORDED_COMMENTS)[0]!;
    await pool()`update schema_migrations set checksum = ${earlier.applied} where version = ${Number(version)}`;
    expect((await migrate(pool(), silentLogger)).applied).toEqual([]);
    const current = (await loadMigrations()).find((m) => m.version === Number(version))!;
    const [row] = await pool()<{ checksum: string }[]>`select checksum from schema_migrations where version = ${Number(version)}`;
    expect(row!.checksum).toBe(current.checksum);

    // the earlier checksum with a statement changed is still refused
    await pool()`update schema_migrations set checksum = ${earlier.applied} where version = ${Number(version)}`;
    const dir = mkdtempSync(path.join(tmpdir(), 'bt-mig-'));
    for (const file of readdirSync(MIGRATIONS_DIR)) writeFileSync(path.join(dir, file), readFileSync(path.join(MIGRATIONS_DIR, file)));
    const file = readdirSync(dir).find((f) => Number(f.slice(0, 4)) === Number(version))!;
    writeFileSync(path.join(dir, file), `${readFileSync(path.join(dir, file), 'utf8')}\nselect 1;`);
    await expect(migrate(pool(), silentLogger, { dir })).rejects.toThrow(/was changed after it was applied/);
    await pool()`update schema_migrations set checksum = ${current.checksum} where version = ${Number(version)}`;
  });

  it('leave the application role without rights to rewrite the audit trail', async () => {
    const [grants] = await pool()`
      select has_table_privilege(${inject('pgAppRole')}, 'audit_events', 'INSERT') as insert,
             has_table_privilege(${inject('pgAppRole')}, 'audit_events', 'UPDATE') as update,
             has_table_privilege(${inject('pgAppRole')}, 'audit_events', 'DELETE') as delete,
             has_table_privilege(${inject('pgAppRole')}, 'audit_events', 'TRUNCATE') as truncate,
             has_table_privilege(${inject('pgAppRole')}, 'trades', 'UPDATE') as trades_update`;
    expect(grants).toEqual({ insert: true, update: false, delete: false, truncate: false, trades_update: true });
  });
});

describe('migration 0230 (the trailing stop on the trade row)', () => {
  it('gives every existing trade the distance in force, as its audit trail says, queued records too', async () => {
    const sql = pool(older);
    await migrate(sql, silentLogger, { upTo: 220 });
    await ensureAccount(sql, 'acc', 1e9);
    for (const id of ['requested', 'cleared', 'never', 'set-later', 'set-queued']) {
      await sql`
        insert into trades (id, account_id, workflow_id, request_fingerprint, requested_by, symbol, exchange, product, side, quantity, order_type, intraday, status)
        values (${id}, 'acc', ${`trade-${id}`}, 'f', 'user:u', 'LT', 'NSE', 'CASH', 'BUY', 1, 'MARKET', false, 'OPEN')`;
    }
    const record = (tradeId: string, type: string, payload: Record<string, unknown>) => appendRecord(sql, { tradeId, accountId: 'acc', type, category: 'trade', payload });
    await record('requested', 'TRADE_REQUESTED', { trailingStop: { paise: 500 } });
    await record('cleared', 'TRADE_REQUESTED', { trailingStop: { percent: 1 } });
    await record('cleared', 'TRADE_PROTECTION_CHANGED', { before: { trailingStop: { percent: 1 } }, after: { stopLossPaise: 900, trailingStop: null } });
    await record('never', 'TRADE_REQUESTED', {});
    // a change of the stop alone (as a trail's move names no new distance) keeps the one in force
    await record('never', 'TRADE_PROTECTION_CHANGED', { before: {}, after: { stopLossPaise: 900 } });
    await record('set-later', 'TRADE_REQUESTED', {});
    await record('set-later', 'TRADE_PROTECTION_CHANGED', { before: { trailingStop: null }, after: { trailingStop: { paise: 700 } } });
    await record('set-later', 'TRADE_PROTECTION_CHANGED', { before: {}, after: { stopLossPaise: 950 }, reason: 'trailing' });
    await record('set-queued', 'TRADE_REQUESTED', {});
    const head = await holdHead(pool(older));
    const queued = await record('set-queued', 'TRADE_PROTECTION_CHANGED', { before: { trailingStop: null }, after: { trailingStop: { percent: 2 } } });
    await head.release();
    expect(queued.seq).toBeNull();

    await migrate(sql, silentLogger);
    const rows = await sql<{ id: string; trailingStop: unknown }[]>`select id, trailing_stop as "trailingStop" from trades order by id`;
    expect(Object.fromEntries(rows.map((r) => [r.id, r.trailingStop]))).toEqual({
      requested: { paise: 500 },
      cleared: null,
      never: null,
      'set-later': { paise: 700 },
      'set-queued': { percent: 2 },
    });
  });
});
