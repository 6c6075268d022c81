import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { anchorsFile, readAnchors, writeAnchor } from '../../src/audit/anchor.ts';
import { createAuditLog } from '../../src/audit/append.ts';
import { recordHash } from '../../src/audit/chain.ts';
import { createAuditFileCopy, dailyFileName } from '../../src/audit/file-copy.ts';
import { createMetrics } from '../../src/observability/metrics.ts';
import { recordsAfter } from '../../src/audit/records.ts';
import { verifyChain } from '../../src/audit/verify.ts';
import { transaction } from '../../src/db/transaction.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { capturingLogger, silentLogger } from '../support/logger.ts';
import { sealAudit } from '../../src/audit/seal.ts';

let db: TestDatabase;
const audit = createAuditLog();

beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => db?.drop());

/** Each test starts from an empty chain (the superuser clears it behind the triggers' back). */
afterEach(async () => {
  await db.admin.begin(async (tx) => {
    await tx`set local session_replication_role = replica`;
    await tx`delete from audit_events`;
    await tx`update audit_head set seq = 0, hash = repeat('0', 64)`;
  });
});

async function appendEvents(n: number) {
  for (let i = 0; i < n; i++) {
    await transaction(db.sql, (tx) => audit.append(tx, { type: 'TRADE_REQUESTED', actor: { type: 'user', id: 'alice' }, tradeId: `t${i}`, payload: { i, note: `event ${i}`, nested: { b: 2, a: 1 } } }));
  }
}

/** Run `fn` as a superuser with the append-only triggers out of the way (an attacker with full rights). */
async function behindTheBack(fn: (tx: TestDatabase['admin']) => Promise<unknown>) {
  await db.admin.begin(async (tx) => {
    await tx`set local session_replication_role = replica`;
    await fn(tx as unknown as TestDatabase['admin']);
  });
}

describe('the audit chain', () => {
  it('verifies an untouched chain', async () => {
    await appendEvents(5);
    expect(await verifyChain(db.sql)).toMatchObject({ ok: true, records: 5, headSeq: 5 });
  });

  it('finds an UPDATE done behind the application at the altered record', async () => {
    await appendEvents(6);
    await behindTheBack((tx) => tx`update audit_events set payload = '{"i": 99}' where seq = 3`);
    const result = await verifyChain(db.sql);
    expect(result.ok).toBe(false);
    expect(result.firstBadRecord?.seq).toBe(3);
    expect(result.firstBadRecord?.reason).toMatch(/altered/);
  });

  it('finds a DELETE done behind the application at the missing record', async () => {
    await appendEvents(6);
    await behindTheBack((tx) => tx`delete from audit_events where seq = 4`);
    const result = await verifyChain(db.sql);
    expect(result.ok).toBe(false);
    expect(result.firstBadRecord?.seq).toBe(4);
  });

  it('finds a record inserted in the middle at the inserted record', async () => {
    await appendEvents(6);
    await behindTheBack(async (tx) => {
      await tx`update audit_events set seq = seq + 1000 where seq >= 4`;
      await tx`update audit_events set seq = seq - 999 where seq >= 1004`;
      await tx`
        insert into audit_events (seq, event_id, occurred_at, event_type, severity, category, actor_type, actor_id, payload, prev_hash, hash)
        select 4, gen_random_uuid(), now(), 'ORDER_FILLED', 'LOW', 'order', 'user', 'mallory', '{}', hash, repeat('a', 64) from audit_events where seq = 3`;
    });
    const result = await verifyChain(db.sql);
    expect(result.ok).toBe(false);
    expect(result.firstBadRecord?.seq).toBe(4);
  });

  it('finds a reordered pair at the first record out of place', async () => {
    await appendEvents(6);
    await behindTheBack(async (tx) => {
      await tx`update audit_events set seq = -1 where seq = 2`;
      await tx`update audit_events set seq = 2 where seq = 3`;
      await tx`update audit_events set seq = 3 where seq = -1`;
    });
    const result = await verifyChain(db.sql);
    expect(result.ok).toBe(false);
    expect(result.firstBadRecord?.seq).toBe(2);
  });

  it('finds records removed at the end through the head', async () => {
    await appendEvents(5);
    await behindTheBack((tx) => tx`delete from audit_events where seq = 5`);
    const result = await verifyChain(db.sql);
    expect(result.ok).toBe(false);
    expect(result.firstBadRecord?.seq).toBe(5);
  });

  it('finds a chain recomputed by someone who can write the table, through the external anchor', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'bt-anchor-'));
    const key = 'k'.repeat(40);
    await appendEvents(4);
    await writeAnchor(db.sql, anchorsFile(dir), key, silentLogger);
    // Rewrite record 2 and recompute every hash after it, head included: the chain itself is consistent again.
    await behindTheBack(async (tx) => {
      await tx`update audit_events set payload = '{"i": 1, "forged": true}' where seq = 2`;
      let prev = (await recordsAfter(tx as never, 0, 1))[0]!.hash;
      for (const r of await recordsAfter(tx as never, 1, 100)) {
        const hash = recordHash(prev, r.seq, r);
        await tx`update audit_events set prev_hash = ${prev}, hash = ${hash} where seq = ${r.seq}`;
        prev = hash;
      }
      await tx`update audit_head set hash = ${prev}`;
    });
    expect((await verifyChain(db.sql)).ok).toBe(true);
    const { anchors } = await readAnchors(anchorsFile(dir), key);
    const result = await verifyChain(db.sql, { anchors });
    expect(result.ok).toBe(false);
    expect(result.firstBadRecord?.seq).toBe(4);
    expect(result.firstBadRecord?.reason).toMatch(/anchor/);
  });

  it('refuses a forged anchor line', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'bt-anchor-'));
    await appendEvents(2);
    await writeAnchor(db.sql, anchorsFile(dir), 'k'.repeat(40), silentLogger);
    const file = anchorsFile(dir);
    writeFileSync(file, readFileSync(file, 'utf8').replace(/"seq":2/, '"seq":1'));
    const { anchors, invalidLines } = await readAnchors(file, 'k'.repeat(40));
    expect(anchors).toHaveLength(0);
    expect(invalidLines).toEqual([1]);
  });
});

describe('append-only', () => {
  it('refuses UPDATE, DELETE and TRUNCATE to the application role', async () => {
    await appendEvents(1);
    await expect(db.sql`update audit_events set actor_id = 'x'`).rejects.toThrow(/permission denied/);
    await expect(db.sql`delete from audit_events`).rejects.toThrow(/permission denied/);
    await expect(db.sql`truncate audit_events`).rejects.toThrow(/permission denied/);
  });

  it('refuses UPDATE, DELETE and TRUNCATE by trigger even to the owner', async () => {
    await appendEvents(1);
    await expect(db.admin`update audit_events set actor_id = 'x'`).rejects.toThrow(/append-only/);
    await expect(db.admin`delete from audit_events`).rejects.toThrow(/append-only/);
    await expect(db.admin`truncate audit_events`).rejects.toThrow(/append-only/);
  });

  it('refuses the application role any archive row of its own (a forged one would let it remove records)', async () => {
    await appendEvents(3);
    await sealAudit(db.sql);
    const [last] = await db.sql<{ hash: string }[]>`select hash from audit_events where seq = 3`;
    await expect(
      db.sql`insert into audit_archives (first_seq, last_seq, first_prev_hash, last_hash, records, file, file_sha256) values (1, 3, repeat('0', 64), ${last!.hash}, 3, 'x', 'y')`,
    ).rejects.toThrow(/permission denied/);
    await expect(db.sql`delete from audit_events`).rejects.toThrow(/permission denied/);
    expect((await verifyChain(db.sql)).records).toBe(3);
  });

  it('removes through archiving only records older than the retention the database enforces', async () => {
    await appendEvents(3);
    await sealAudit(db.sql);
    const [last] = await db.sql<{ hash: string }[]>`select hash from audit_events where seq = 3`;
    // An exact description of the range, but its records are minutes old and five years must pass.
    await expect(db.sql`select audit_archive_range(1, 3, ${last!.hash}, 3, 'audit-archive.jsonl.gz', 'sha')`).rejects.toThrow(/younger than the 1827 days/);
    expect(await verifyChain(db.sql)).toMatchObject({ ok: true, records: 3, fromSeq: 0 });
  });

  it('archives only a range that continues the chain, as the table holds it', async () => {
    const threeDaysAgo = createAuditLog({ now: () => new Date(Date.now() - 3 * 86_400_000) });
    for (let i = 0; i < 4; i++) await transaction(db.sql, (tx) => threeDaysAgo.append(tx, { type: 'ORDER_PLACED', actor: { type: 'workflow', id: `wf-${i}` }, payload: { i } }));
    await db.admin`update audit_policy set min_retention_days = 1`;
    await sealAudit(db.sql);
    const hashes = new Map((await db.sql<{ seq: number; hash: string }[]>`select seq, hash from audit_events`).map((r) => [Number(r.seq), r.hash]));
    try {
      await expect(db.sql`select audit_archive_range(2, 3, ${hashes.get(3)!}, 2, 'f', 's')`).rejects.toThrow(/must start at 1/);
      await expect(db.sql`select audit_archive_range(1, 3, ${hashes.get(2)!}, 3, 'f', 's')`).rejects.toThrow(/does not match the chain/);
      await expect(db.sql`select audit_archive_range(1, 3, ${hashes.get(3)!}, 2, 'f', 's')`).rejects.toThrow(/does not hold 2 records/);
      const [done] = await db.sql<{ removed: string }[]>`select audit_archive_range(1, 3, ${hashes.get(3)!}, 3, 'f', 's') as removed`;
      expect(Number(done!.removed)).toBe(3);
      expect(await verifyChain(db.sql)).toMatchObject({ ok: true, fromSeq: 3, records: 1 });
      // An owner rewriting the registry behind the triggers' back: the archives no longer start at the genesis.
      await behindTheBack((tx) => tx`update audit_archives set first_seq = 2`);
      expect(await verifyChain(db.sql)).toMatchObject({ ok: false, firstBadRecord: { seq: 1, reason: expect.stringMatching(/archive registry broken/) } });
    } finally {
      await behindTheBack((tx) => tx`delete from audit_archives`);
      await db.admin`update audit_policy set min_retention_days = 1827`;
    }
  });
});

describe('concurrent appends', () => {
  it('makes one valid chain from 50 concurrent appenders', async () => {
    await Promise.all(
      Array.from({ length: 50 }, (_, i) => transaction(db.sql, (tx) => audit.append(tx, { type: 'ORDER_PLACED', actor: { type: 'workflow', id: `wf-${i}` }, payload: { i } }))),
    );
    const result = await verifyChain(db.sql);
    expect(result).toMatchObject({ ok: true, records: 50, headSeq: 50 });
    const [forks] = await db.sql<{ n: number }[]>`select count(*) - count(distinct prev_hash) as n from audit_events`;
    expect(forks!.n).toBe(0);
  });

  it('verifies a chain that keeps growing during the walk without reporting records removed', async () => {
    await appendEvents(40);
    let appending = true;
    const appender = (async () => {
      while (appending) await appendEvents(1);
    })();
    try {
      // Small batches: the walk takes many reads, with appends committing between them.
      const results = await Promise.all([verifyChain(db.sql, { batchSize: 3 }), verifyChain(db.sql, { batchSize: 5 })]);
      for (const result of results) {
        expect(result.firstBadRecord).toBeUndefined();
        expect(result.ok).toBe(true);
        expect(result.records).toBe(result.headSeq);
      }
    } finally {
      appending = false;
      await appender;
    }
  });

  it('leaves no audit record when the transaction rolls back', async () => {
    await appendEvents(2);
    await expect(
      transaction(db.sql, async (tx) => {
        await audit.append(tx, { type: 'CONFIG_CHANGED', actor: { type: 'user', id: 'alice' }, payload: { old: 1, new: 2 } });
        throw new Error('the state change failed');
      }),
    ).rejects.toThrow('the state change failed');
    expect(await verifyChain(db.sql)).toMatchObject({ ok: true, records: 2, headSeq: 2 });
  });
});

describe('the daily file copy', () => {
  it('writes every committed record to the day file, and nothing of a rolled-back one', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'bt-copy-'));
    const withCopy = createAuditLog({ fileCopy: createAuditFileCopy(dir, silentLogger) });
    await transaction(db.sql, (tx) => withCopy.append(tx, { type: 'USER_LOGIN', actor: { type: 'user', id: 'bob' }, payload: { sessionId: 's1', password: 'hunter2' } }));
    const [record] = await recordsAfter(db.sql, 0, 1);
    if (!record) throw new Error('no record');
    await transaction(db.sql, async (tx) => {
      await withCopy.append(tx, { type: 'USER_LOGIN', actor: { type: 'user', id: 'eve' } });
      throw new Error('rolled back');
    }).catch(() => undefined);
    const lines = readFileSync(path.join(dir, dailyFileName(record.occurredAt)), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ seq: record.seq, hash: record.hash, actorId: 'bob' });
    expect(lines[0].payload.password).toBe('[redacted]');
  });

  it('keeps committing when the file cannot be written, and says so in an alert-worthy log line', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'bt-copy-'));
    const blocked = path.join(dir, 'not-a-dir');
    writeFileSync(blocked, 'a file where the directory should be');
    const { log, lines } = capturingLogger();
    const metrics = createMetrics('audit-copy-test');
    const copy = createAuditFileCopy(blocked, log, metrics.registry);
    const withCopy = createAuditLog({ fileCopy: copy });
    await transaction(db.sql, (tx) => withCopy.append(tx, { type: 'USER_LOGIN', actor: { type: 'user', id: 'bob' } }));
    expect((await verifyChain(db.sql)).records).toBe(1);
    expect(copy.failures).toBe(1);
    // Prometheus sees it too (deploy/prometheus/alert-rules.yml pages on it).
    expect(await metrics.registry.getSingleMetricAsString('breeze_audit_file_copy_failures_total')).toMatch(/breeze_audit_file_copy_failures_total\{process="audit-copy-test"\} 1$/m);
    expect(lines().some((l) => l.alert === 'audit_file_copy_failed')).toBe(true);
    expect(existsSync(path.join(blocked, 'x'))).toBe(false);
  });
});
