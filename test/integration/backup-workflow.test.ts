import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { backupDir, backupRoot } from '../../src/backup/files.ts';
import type { BackupStatus } from '../../src/backup/status.ts';
import { getBackupRow } from '../../src/db/backups.ts';
import type { BackupWorkflowResult } from '../../src/workflows/backup.ts';
import { seedOtherTables, seedTrades } from '../support/backup-data.ts';
import { historyFromJson, historyToJson } from '../support/history-json.ts';
import { startStack, type TestStack, workflowBundleCode } from '../support/stack.ts';
import { sealAudit } from '../../src/audit/seal.ts';

let stack: TestStack;
let adminToken: string;
beforeAll(async () => {
  stack = await startStack();
  adminToken = (await stack.login()).accessToken;
  await seedTrades(stack.db.sql, stack.audit, stack.config.account.ACCOUNT_ID, 5);
  await seedOtherTables(stack.db.sql, stack.config.account.ACCOUNT_ID);
});
afterAll(async () => stack?.stop());

const asAdmin = (path: string, init: { method?: string; body?: string } = {}) => stack.request(path, { ...init, token: adminToken });
const json = (body: unknown) => ({ method: 'POST', body: JSON.stringify(body) });

async function auditTypes(): Promise<string[]> {
  await sealAudit(stack.db.sql);
  const rows = await stack.db.sql<{ type: string }[]>`select event_type as type from audit_events where event_type like 'BACKUP_%' order by seq`;
  return rows.map((r) => r.type);
}

it('POST /backup/run starts the backup workflow, which writes, verifies and registers a backup with its audit records', async () => {
  const res = await asAdmin('/backup/run', json({ kind: 'manual' }));
  expect(res.status).toBe(202);
  const { workflowId } = (await res.json()) as { workflowId: string };
  const handle = stack.client.workflow.getHandle(workflowId);
  const result = (await handle.result()) as BackupWorkflowResult;
  expect(result).toMatchObject({ verified: true, removed: [] });

  const row = await getBackupRow(stack.db.sql, result.backupId);
  expect(row).toMatchObject({ kind: 'manual', status: 'VERIFIED', workflowId });
  expect(row?.directory).toBe(backupDir(backupRoot(stack.config), result.backupId));
  expect(existsSync(path.join(row!.directory, 'manifest.json'))).toBe(true);
  const verification = JSON.parse(await readFile(path.join(row!.directory, 'verification.json'), 'utf8')) as { ok: boolean };
  expect(verification.ok).toBe(true);
  expect(await auditTypes()).toEqual(['BACKUP_COMPLETED', 'BACKUP_VERIFIED']);
  await sealAudit(stack.db.sql);
  const [completed] = await stack.db.sql<{ actor: string }[]>`select actor_id as actor from audit_events where event_type = 'BACKUP_COMPLETED'`;
  expect(completed?.actor).toBe(stack.config.security.ADMIN_USERNAME);

  // The run's history replays against the bundle; RECORD_HISTORIES=1 refreshes the committed case.
  const history = await handle.fetchHistory();
  const text = historyToJson(history);
  await Worker.runReplayHistory({ workflowBundle: { code: workflowBundleCode() } }, historyFromJson(text), workflowId);
  if (process.env.RECORD_HISTORIES) await writeFile(path.resolve('test/replay/histories/backupWorkflow/manual-verified.json'), text);

  const status = (await (await asAdmin('/backup/status')).json()) as BackupStatus;
  const manual = status.kinds.find((k) => k.kind === 'manual')!;
  expect(manual).toMatchObject({ stale: false, lastVerified: { id: result.backupId, status: 'VERIFIED' }, lastSuccessful: { id: result.backupId } });
  expect(manual.lastVerified?.bytes).toBeGreaterThan(0);
  expect(manual.lastVerified?.durationMs).toBeGreaterThanOrEqual(0);
  // A verified manual backup counts for the scheduled kinds: none is stale after it.
  const daily = status.kinds.find((k) => k.kind === 'daily')!;
  expect(daily).toMatchObject({ stale: false, lastVerified: null, maxAgeHours: 26 });
  expect(status.stale).toBe(false);
});

it('refuses backup routes to a caller without the admin scope', async () => {
  const viewer = await stack.userWithRole('viewer');
  expect((await stack.request('/backup/status', { token: viewer.accessToken })).status).toBe(403);
  expect((await stack.request('/backup/run', { ...json({ kind: 'manual' }), token: viewer.accessToken })).status).toBe(403);
});

it('rejects an unknown backup kind with a 400 problem', async () => {
  const res = await asAdmin('/backup/run', json({ kind: 'hourly' }));
  expect(res.status).toBe(400);
  expect(res.headers.get('content-type')).toContain('application/problem+json');
});
