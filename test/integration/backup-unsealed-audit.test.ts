import { rm } from 'node:fs/promises';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAuditLog } from '../../src/audit/append.ts';
import { verifyChain } from '../../src/audit/verify.ts';
import { writeBackup, type WrittenBackup } from '../../src/backup/create.ts';
import { restoreBackup } from '../../src/backup/restore.ts';
import { verifyBackup } from '../../src/backup/verify.ts';
import { transaction } from '../../src/db/transaction.ts';
import { holdHead, inboxSize, queueRecord } from '../support/audit-inbox.ts';
import { testConfig } from '../support/config.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { silentLogger } from '../support/logger.ts';

const root = mkdtempSync(path.join(tmpdir(), 'bt-backups-unsealed-'));
const dir = path.join(root, 'manual-unsealed');
let source: TestDatabase;
let backup: WrittenBackup;
let queued: string[];

/** A backup taken while two committed audit records waited in the inbox for the chain's head. */
beforeAll(async () => {
  source = await createTestDatabase();
  const audit = createAuditLog();
  for (let i = 0; i < 3; i++) await transaction(source.sql, (tx) => audit.append(tx, { type: 'CONFIG_CHANGED', actor: { type: 'user', id: 'alice' }, payload: { i } }));
  const head = await holdHead(source.admin);
  try {
    queued = [await queueRecord(source.sql, 1), await queueRecord(source.sql, 2)];
    backup = await writeBackup(source.sql, { id: 'manual-unsealed', kind: 'manual', dir, config: testConfig() });
  } finally {
    await head.release();
  }
});
afterAll(async () => {
  await source?.drop();
  await rm(root, { recursive: true, force: true });
});

describe('a backup taken with audit records not sealed yet', () => {
  it('holds them in audit_inbox, past the head it records', () => {
    expect(backup.manifest.auditHead.seq).toBe(3);
    expect(backup.manifest.tables.find((t) => t.name === 'audit_inbox')?.rows).toBe(2);
  });

  it('restores them into a fresh database, sealed after the backup head in their order', async () => {
    const target = await createTestDatabase();
    try {
      const result = await restoreBackup(target.admin, dir, backup.manifest);
      expect(result.audit).toMatchObject({ mode: 'appended', resealed: 2 });
      expect(result.chain).toMatchObject({ ok: true, records: 5, unsealed: 0 });
      const rows = await target.sql<{ seq: number; eventId: string }[]>`select seq, event_id as "eventId" from audit_events where seq > 3 order by seq`;
      expect(rows).toEqual([
        { seq: 4, eventId: queued[0] },
        { seq: 5, eventId: queued[1] },
      ]);
      expect(await inboxSize(target.admin)).toBe(0);
    } finally {
      await target.drop();
    }
  });

  it('does not seal them twice into a database whose chain already has them', async () => {
    expect(await verifyChain(source.sql)).toMatchObject({ ok: true, records: 5 }); // sealed here since
    const result = await restoreBackup(source.admin, dir, backup.manifest);
    expect(result.audit).toMatchObject({ mode: 'kept-newer', keptAfterBackup: 2, resealed: 0 });
    const [copies] = await source.sql<{ n: number }[]>`select count(*)::int4 as n from audit_events where event_id = any(${source.sql.array(queued)}::uuid[])`;
    expect(copies!.n).toBe(2);
    expect(await verifyChain(source.sql)).toMatchObject({ ok: true, unsealed: 0 });
  });

  it('verifies, comparing the inbox as backed up and the chain with them sealed', async () => {
    const report = await verifyBackup({ adminUrl: source.adminUrl, dir, manifest: backup.manifest, log: silentLogger });
    expect(report.problems).toEqual([]);
    expect(report.chain).toMatchObject({ ok: true, records: 5 });
  });
});
