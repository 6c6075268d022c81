import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { anchorsFile, readAnchors } from '../../src/audit/anchor.ts';
import { createAuditLog } from '../../src/audit/append.ts';
import { verifyArchive } from '../../src/audit/archive.ts';
import { verifyChain } from '../../src/audit/verify.ts';
import { auditAnchorKey } from '../../src/config.ts';
import { transaction } from '../../src/db/transaction.ts';
import type { RetentionSummary } from '../../src/activities/retention.ts';
import { ensureRetentionSchedule, RETENTION_SCHEDULE_ID } from '../../src/temporal/retention-schedule.ts';
import { parseSettings } from '../support/config.ts';
import { recordHistory } from '../support/history-json.ts';
import { startStack, type TestStack, workflowBundleCode } from '../support/stack.ts';
import { sealAudit } from '../../src/audit/seal.ts';

let stack: TestStack;
const DAY = 86_400_000;

beforeAll(async () => {
  // A one-day retention, on purpose below the five-year minimum (hence the explicit override).
  stack = await startStack({
    settings: { AUDIT_RETENTION_DAYS: '1', TRADE_RETENTION_DAYS: '1', SESSION_RETENTION_DAYS: '1', RETENTION_ALLOW_SHORT: 'true' },
    // Three-day-old records at the start of the chain (only a prefix of the chain can be archived).
    seed: async (db) => {
      const old = createAuditLog({ now: () => new Date(Date.now() - 3 * DAY) });
      for (let i = 0; i < 25; i++) {
        await transaction(db.sql, (tx) => old.append(tx, { type: 'ORDER_PLACED', actor: { type: 'workflow', id: `wf-${i}` }, payload: { i } }));
      }
    },
  });
  // An old, ended session and a closed trade from last week.
  const [user] = await stack.db.sql<{ id: string }[]>`select id from users limit 1`;
  await stack.db.admin`insert into sessions (user_id, created_at, last_seen_at, absolute_expires_at, revoked_at) values (${user!.id}, now() - interval '9 days', now() - interval '9 days', now() - interval '8 days', now() - interval '8 days')`;
  await stack.db.admin`
    insert into trades (id, account_id, workflow_id, request_fingerprint, requested_by, symbol, exchange, product, side, quantity, order_type, intraday, status, closed_at, created_at)
    values ('toldtradeaaaaaaa', ${stack.config.account.ACCOUNT_ID}, 'trade-old', 'x', 'user:x', 'ITC', 'NSE', 'CASH', 'BUY', 1, 'MARKET', true, 'CLOSED', now() - interval '7 days', now() - interval '7 days')`;
});
afterAll(async () => stack?.stop());

describe('the retention cleanup workflow', () => {
  let summary: RetentionSummary;

  it('archives old audit records and removes them, keeping the chain verifiable', async () => {
    const before = await verifyChain(stack.db.sql);
    const handle = await stack.client.workflow.start('retentionWorkflow', { taskQueue: stack.config.temporal.TEMPORAL_TASK_QUEUE, workflowId: `retention-${Date.now()}`, args: [] });
    summary = (await handle.result()) as RetentionSummary;
    expect(summary.auditArchived).toBe(25);
    expect(summary.tradesArchived).toBe(1);
    expect(summary.security.sessions).toBe(1);

    const after = await verifyChain(stack.db.sql);
    expect(after.ok).toBe(true);
    expect(after.fromSeq).toBe(25);
    expect(after.headSeq).toBeGreaterThan(before.headSeq);
    await sealAudit(stack.db.sql);
    const [left] = await stack.db.sql`select min(seq)::int as first from audit_events`;
    expect(left!.first).toBe(26);
    expect(await stack.db.sql`select 1 from trades where id = 'toldtradeaaaaaaa'`).toHaveLength(0);
    await sealAudit(stack.db.sql);
    const runs = await stack.db.sql`select payload from audit_events where event_type = 'RETENTION_CLEANUP' and payload->>'what' is null`;
    expect(runs[0]!.payload).toMatchObject({ auditArchived: 25, tradesArchived: 1 });
    await recordHistory(stack.client, handle.workflowId, 'retentionWorkflow', 'archive-audit-trades-sessions', workflowBundleCode());
  });

  it('anchors the chain head outside the database, and verification checks the anchors', async () => {
    const { anchors, invalidLines } = await readAnchors(anchorsFile(stack.config.dataDir), auditAnchorKey(stack.config.security));
    expect(invalidLines).toEqual([]);
    expect(anchors.at(-1)?.seq).toBe(summary.anchorSeq);
    const result = await verifyChain(stack.db.sql, { anchors });
    expect(result.ok).toBe(true);
    expect(result.anchorsChecked).toBeGreaterThanOrEqual(1);
  });

  it('writes an archive that verifies on its own, and finds a tampered one', async () => {
    const dir = path.join(stack.config.dataDir, 'audit', 'archive');
    const file = path.join(dir, readdirSync(dir).find((f) => f.endsWith('.jsonl.gz'))!);
    expect(await verifyArchive(file)).toMatchObject({ ok: true, records: 25, header: { firstSeq: 1, lastSeq: 25 } });
    const lines = gunzipSync(readFileSync(file)).toString('utf8').split('\n');
    lines[5] = lines[5]!.replace('"i":4', '"i":40');
    const forged = path.join(dir, 'forged.jsonl.gz');
    writeFileSync(forged, gzipSync(lines.join('\n')));
    expect(await verifyArchive(forged)).toMatchObject({ ok: false, firstBadRecord: { seq: 5 } });
  });

  it('runs on a Temporal Schedule created once, whatever the number of starts', async () => {
    await ensureRetentionSchedule(stack.client, stack.config);
    await ensureRetentionSchedule(stack.client, stack.config);
    const described = await stack.client.schedule.getHandle(RETENTION_SCHEDULE_ID).describe();
    expect(described.policies.overlap).toBe('SKIP');
    expect(described.policies.catchupWindow).toBe(86_400_000);
    expect(described.spec.timezone).toBe('Asia/Kolkata');
    const ids = [];
    for await (const s of stack.client.schedule.list()) if (s.scheduleId === RETENTION_SCHEDULE_ID) ids.push(s.scheduleId);
    expect(ids).toHaveLength(1);
    await stack.client.schedule.getHandle(RETENTION_SCHEDULE_ID).delete();
  });
});

describe('the retention settings', () => {
  it('refuse less than five years unless explicitly overridden', async () => {
    const { ConfigError } = await import('../../src/config.ts');
    expect(() => parseSettings({ AUDIT_RETENTION_DAYS: '365' })).toThrow(ConfigError);
    expect(() => parseSettings({ AUDIT_RETENTION_DAYS: '365', RETENTION_ALLOW_SHORT: 'true' })).not.toThrow();
  });
});
