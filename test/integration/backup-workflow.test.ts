import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { backupRoutes } from '../../src/api/routes/backup.ts';
import { backupDir, backupRoot } from '../../src/backup/files.ts';
import type { BackupStatus } from '../../src/backup/status.ts';
import { getBackupRow } from '../../src/db/backups.ts';
import type { BackupWorkflowResult } from '../../src/workflows/backup.ts';
import { seedOtherTables, seedTrades } from '../support/backup-data.ts';
import { historyFromJson, historyToJson } from '../support/history-json.ts';
import { asPrincipal, principalFor } from '../support/principal-app.ts';
import { startStack, type TestStack, workflowBundleCode } from '../support/stack.ts';

let stack: TestStack;
beforeAll(async () => {
  stack = await startStack();
  await seedTrades(stack.db.sql, stack.audit, 5);
  await seedOtherTables(stack.db.sql);
});
afterAll(async () => stack?.stop());

const admin = () => asPrincipal(principalFor('admin', 'ops'), backupRoutes({ config: stack.config, sql: stack.db.sql, temporal: stack.client }));
const json = (body: unknown) => ({ method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } });

async function auditTypes(): Promise<string[]> {
  const rows = await stack.db.sql<{ type: string }[]>`select event_type as type from audit_events where event_type like 'BACKUP_%' order by seq`;
  return rows.map((r) => r.type);
}

it('POST /backup/run starts the backup workflow, which writes, verifies and registers a backup with its audit records', async () => {
  const res = await admin().request('/backup/run', json({ kind: 'manual' }));
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
  const [completed] = await stack.db.sql<{ actor: string }[]>`select actor_id as actor from audit_events where event_type = 'BACKUP_COMPLETED'`;
  expect(completed?.actor).toBe('ops');

  // The run's history replays against the bundle; RECORD_HISTORIES=1 refreshes the committed case.
  const history = await handle.fetchHistory();
  const text = historyToJson(history);
  await Worker.runReplayHistory({ workflowBundle: { code: workflowBundleCode() } }, historyFromJson(text), workflowId);
  if (process.env.RECORD_HISTORIES) await writeFile(path.resolve('test/replay/histories/backupWorkflow/manual-verified.json'), text);

  const status = (await (await admin().request('/backup/status')).json()) as BackupStatus;
  const manual = status.kinds.find((k) => k.kind === 'manual')!;
  expect(manual).toMatchObject({ stale: false, lastVerified: { id: result.backupId, status: 'VERIFIED' }, lastSuccessful: { id: result.backupId } });
  expect(manual.lastVerified?.bytes).toBeGreaterThan(0);
  expect(manual.lastVerified?.durationMs).toBeGreaterThanOrEqual(0);
  const daily = status.kinds.find((k) => k.kind === 'daily')!;
  expect(daily).toMatchObject({ stale: true, lastVerified: null, maxAgeHours: 26 });
  expect(status.stale).toBe(true);
});

it('refuses backup routes to a caller without the admin scope', async () => {
  const viewer = asPrincipal(principalFor('viewer'), backupRoutes({ config: stack.config, sql: stack.db.sql, temporal: stack.client }));
  expect((await viewer.request('/backup/status')).status).toBe(403);
  expect((await viewer.request('/backup/run', json({ kind: 'manual' }))).status).toBe(403);
});

it('rejects an unknown backup kind with a 400 problem', async () => {
  const res = await admin().request('/backup/run', json({ kind: 'hourly' }));
  expect(res.status).toBe(400);
  expect(res.headers.get('content-type')).toContain('application/problem+json');
});
