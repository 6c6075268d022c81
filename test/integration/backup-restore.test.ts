import { cp, readFile, rm, writeFile } from 'node:fs/promises';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAuditLog } from '../../src/audit/append.ts';
import { verifyChain } from '../../src/audit/verify.ts';
import { writeBackup, type WrittenBackup } from '../../src/backup/create.ts';
import { backupKey } from '../../src/backup/encryption.ts';
import { readManifest, writeManifest } from '../../src/backup/manifest.ts';
import { type RestoreProgress, restoreBackup, RestoreRefusedError } from '../../src/backup/restore.ts';
import { scratchName } from '../../src/backup/scratch-db.ts';
import { verifyBackup } from '../../src/backup/verify.ts';
import { testConfig } from '../support/config.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { seedOtherTables, seedTrades, sequenceValues, tableDigests } from '../support/backup-data.ts';
import { silentLogger } from '../support/logger.ts';

const root = mkdtempSync(path.join(tmpdir(), 'bt-backups-'));
let source: TestDatabase;
let plain: WrittenBackup;
const plainDir = path.join(root, 'manual-plain');

beforeAll(async () => {
  source = await createTestDatabase();
  await seedTrades(source.sql, createAuditLog(), 'backup-restore', 25);
  await seedOtherTables(source.sql, 'backup-restore');
  // The application role takes the backup: it needs no more than SELECT.
  plain = await writeBackup(source.sql, { id: 'manual-plain', kind: 'manual', dir: plainDir, config: testConfig() });
});
afterAll(async () => {
  await source?.drop();
  await rm(root, { recursive: true, force: true });
});

/** Scratch databases of this file's backups still present (other test files verify their own). */
async function scratchDatabases(): Promise<string[]> {
  const rows = await source.admin<{ datname: string }[]>`select datname from pg_database where datname = ${scratchName('manual-plain')}`;
  return rows.map((r) => r.datname);
}

/** A copy of the plain backup to damage. */
async function copyOfPlain(name: string): Promise<string> {
  const dir = path.join(root, name);
  await cp(plainDir, dir, { recursive: true });
  return dir;
}

describe('backup and restore', () => {
  it('records every table with row counts, file checksums, sequences and the audit head in the manifest', async () => {
    const { manifest } = await readManifest(plainDir);
    expect(manifest.tables.map((t) => t.name)).toEqual(expect.arrayContaining(['accounts', 'trades', 'orders', 'fills', 'audit_events', 'audit_head', 'paper_orders']));
    expect(manifest.tables.map((t) => t.name)).not.toContain('backups');
    expect(manifest.tables.map((t) => t.name)).not.toContain('schema_migrations');
    expect(manifest.tables.find((t) => t.name === 'trades')?.rows).toBe(25);
    expect(manifest.auditHead.seq).toBe(50);
    expect(manifest.sequences.find((s) => s.name === 'paper_order_numbers')).toMatchObject({ lastValue: 1, isCalled: true });
    expect(manifest.encryption).toBeNull();
    expect(manifest.tables.every((t) => /^[0-9a-f]{64}$/.test(t.sha256) && t.bytes > 0)).toBe(true);
    const config = JSON.parse(await readFile(path.join(plainDir, 'config.json'), 'utf8')) as { settings: Record<string, unknown>; secretsLeftOut: string[] };
    expect(config.settings).not.toHaveProperty('JWT_SECRET');
    expect(config.secretsLeftOut).toEqual(expect.arrayContaining(['JWT_SECRET', 'ADMIN_PASSWORD']));
  });

  it('restores into a fresh database with every table equal row by row and a valid audit chain', async () => {
    const target = await createTestDatabase();
    try {
      const result = await restoreBackup(target.admin, plainDir, plain.manifest);
      expect(result.audit.mode).toBe('appended');
      expect(result.chain?.ok).toBe(true);
      expect(await tableDigests(target.admin)).toEqual(await tableDigests(source.admin));
      expect(await sequenceValues(target.admin)).toEqual(await sequenceValues(source.admin));
      expect(await verifyChain(target.sql)).toMatchObject({ ok: true, records: 50 });
    } finally {
      await target.drop();
    }
  });

  it('reports progress while one large table loads, so the activity restoring it keeps heartbeating', async () => {
    const big = await createTestDatabase();
    const target = await createTestDatabase();
    const dir = path.join(root, 'manual-big');
    try {
      // About 12 MB of COPY text in one table: a single COPY, longer than any per-table report.
      await big.admin`insert into ip_blocks (ip, reason, expires_at, blocked_by) select 'ip-' || i, repeat('r', 1200), now(), 'test' from generate_series(1, 10000) i`;
      const written = await writeBackup(big.sql, { id: 'manual-big', kind: 'manual', dir, config: testConfig() });
      const reports: RestoreProgress[] = [];
      await restoreBackup(target.admin, dir, written.manifest, { onProgress: (p) => reports.push(p) });
      const during = reports.filter((r) => r.step === 'load' && r.table === 'ip_blocks' && r.bytes !== undefined);
      expect(during.length).toBeGreaterThanOrEqual(1);
      expect(during[0]!.bytes).toBeGreaterThanOrEqual(8 << 20);
      expect(await target.admin`select count(*)::int as n from ip_blocks`).toEqual([{ n: 10000 }]);
    } finally {
      await target.drop();
      await big.drop();
    }
  });

  it('verifies a backup by restoring it into a scratch database, then drops the scratch database', async () => {
    const report = await verifyBackup({ adminUrl: source.adminUrl, dir: plainDir, manifest: plain.manifest, log: silentLogger });
    expect(report.problems).toEqual([]);
    expect(report.ok).toBe(true);
    expect(report.chain).toMatchObject({ ok: true, records: 50 });
    expect(report.tables.every((t) => t.match)).toBe(true);
    expect(report.tables.length).toBe(plain.manifest.tables.length);
    expect(await scratchDatabases()).toEqual([]);
  });

  it('fails verification when one byte of a table file is flipped', async () => {
    const dir = await copyOfPlain('flipped');
    const file = path.join(dir, 'data/trades.copy.gz');
    const bytes = await readFile(file);
    bytes[Math.floor(bytes.length / 2)]! ^= 0x01;
    await writeFile(file, bytes);
    const report = await verifyBackup({ adminUrl: source.adminUrl, dir, manifest: plain.manifest, log: silentLogger });
    expect(report.ok).toBe(false);
    expect(report.problems).toEqual(['data/trades.copy.gz: SHA-256 differs from the manifest (file altered or corrupted)']);
  });

  it('fails verification when a table file is missing', async () => {
    const dir = await copyOfPlain('missing');
    await rm(path.join(dir, 'data/fills.copy.gz'));
    const report = await verifyBackup({ adminUrl: source.adminUrl, dir, manifest: plain.manifest, log: silentLogger });
    expect(report.ok).toBe(false);
    expect(report.problems).toEqual(['data/fills.copy.gz: missing']);
  });

  it('fails verification when a row was changed and the file checksums rewritten to match', async () => {
    const dir = await copyOfPlain('rewritten');
    const file = path.join(dir, 'data/orders.copy.gz');
    const text = gunzipSync(await readFile(file)).toString('utf8').replace('FILLED', 'OPEN');
    const damaged = gzipSync(text);
    await writeFile(file, damaged);
    const { createHash } = await import('node:crypto');
    const manifest = structuredClone(plain.manifest);
    const entry = manifest.tables.find((t) => t.name === 'orders')!;
    Object.assign(entry, { bytes: damaged.length, sha256: createHash('sha256').update(damaged).digest('hex') });
    await writeManifest(dir, manifest);
    const report = await verifyBackup({ adminUrl: source.adminUrl, dir, manifest, log: silentLogger });
    expect(report.ok).toBe(false);
    expect(report.problems.join()).toMatch(/orders: loaded 25 rows whose digest differs/);
    expect(await scratchDatabases()).toEqual([]);
  });

  it('refuses to restore into a database at another schema version, changing nothing', async () => {
    const target = await createTestDatabase();
    try {
      const manifest = { ...plain.manifest, schemaVersion: plain.manifest.schemaVersion - 1 };
      await expect(restoreBackup(target.admin, plainDir, manifest)).rejects.toThrow(RestoreRefusedError);
      const [row] = await target.admin<{ n: number }[]>`select count(*)::int as n from trades`;
      expect(row?.n).toBe(0);
    } finally {
      await target.drop();
    }
  });
});

describe('encrypted backups', () => {
  const key = backupKey('11'.repeat(32))!;
  const dir = path.join(root, 'manual-encrypted');
  let written: WrittenBackup;
  beforeAll(async () => {
    written = await writeBackup(source.sql, { id: 'manual-encrypted', kind: 'manual', dir, config: testConfig(), key });
  });

  it('encrypts every table file with AES-256-GCM and says so in the manifest', async () => {
    expect(written.manifest.encryption).toEqual({ algorithm: 'aes-256-gcm', keyId: key.keyId });
    expect(written.manifest.tables.every((t) => t.file.endsWith('.copy.gz.enc') && t.encryption?.authTag.length === 32)).toBe(true);
    expect(() => gunzipSync(Buffer.alloc(0))).toThrow();
    await expect(readFile(path.join(dir, 'data/trades.copy.gz.enc')).then((b) => gunzipSync(b))).rejects.toThrow();
  });

  it('verifies with the key and refuses another key', async () => {
    const good = await verifyBackup({ adminUrl: source.adminUrl, dir, manifest: written.manifest, key, log: silentLogger });
    expect(good.problems).toEqual([]);
    const other = backupKey('22'.repeat(32));
    const bad = await verifyBackup({ adminUrl: source.adminUrl, dir, manifest: written.manifest, key: other, log: silentLogger });
    expect(bad.ok).toBe(false);
    expect(bad.problems.join()).toMatch(/encrypted with key/);
  });
});

it('creates scratch databases with the admin URL only (the application role may not)', async () => {
  const app = postgres(source.url, { max: 1, onnotice: () => {} });
  try {
    await expect(app`create database bt_should_not_exist`).rejects.toMatchObject({ code: '42501' });
  } finally {
    await app.end();
  }
});
