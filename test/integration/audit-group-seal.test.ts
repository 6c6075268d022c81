import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createAuditLog } from '../../src/audit/append.ts';
import { listAudit } from '../../src/audit/queries.ts';
import { sealAudit } from '../../src/audit/seal.ts';
import { verifyChain } from '../../src/audit/verify.ts';
import { beforeCommit, sendWithCommit, transaction } from '../../src/db/transaction.ts';
import { holdHead as holdHeadOf, inboxSize as inboxSizeOf, queueRecord } from '../support/audit-inbox.ts';
import { countingPool } from '../support/counting-pool.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import type { Sql } from '../../src/db/pool.ts';

let db: TestDatabase;
const audit = createAuditLog();

beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => db?.drop());

/** Each test starts from an empty chain and an empty inbox (the superuser clears them behind the triggers' back). */
afterEach(async () => {
  await db.admin.begin(async (tx) => {
    await tx`set local session_replication_role = replica`;
    await tx`delete from audit_events`;
    await tx`delete from audit_inbox`;
    await tx`update audit_head set seq = 0, hash = repeat('0', 64)`;
  });
});

const placed = (i: number) => ({ type: 'ORDER_PLACED' as const, actor: { type: 'workflow' as const, id: `wf-${i}` }, tradeId: `t${i}`, payload: { i } });

async function until(condition: () => Promise<boolean>): Promise<void> {
  while (!(await condition())) await sleep(10);
}

const holdHead = () => holdHeadOf(db.admin);
const inboxSize = () => inboxSizeOf(db.admin);
const queueBehindHead = (i: number) => queueRecord(db.sql, i);

describe('group sealing', () => {
  it("gives concurrent writers one gap-free total order, with each writer's transactions in the order they committed", async () => {
    await Promise.all(
      Array.from({ length: 8 }, async (_, writer) => {
        for (let n = 0; n < 25; n++) {
          await transaction(db.sql, async (tx) => {
            for (let r = 0; r <= n % 3; r++) await audit.append(tx, placed(writer * 1000 + n * 10 + r));
          });
        }
      }),
    );
    // the process's rounds seal without anyone reading: the inbox empties by itself
    await until(async () => (await inboxSize()) === 0);
    const expected = 8 * (9 * 1 + 8 * 2 + 8 * 3);
    const rows = await db.sql<{ seq: number; tradeId: string }[]>`select seq, trade_id as "tradeId" from audit_events order by seq`;
    expect(rows.map((r) => r.seq)).toEqual(Array.from({ length: expected }, (_, i) => i + 1));
    for (let writer = 0; writer < 8; writer++) {
      // a writer's next transaction began after its last committed: its records come after
      const mine = rows.map((r) => Number(r.tradeId.slice(1))).filter((i) => Math.floor(i / 1000) === writer);
      expect(mine).toEqual([...mine].sort((a, b) => a - b));
      expect(mine).toHaveLength(expected / 8);
    }
    expect(await verifyChain(db.sql)).toMatchObject({ ok: true, records: expected, headSeq: expected, unsealed: 0 });
  });

  it('returns from a transaction whose records were queued without waiting for the head, and seals them once it is free', async () => {
    const head = await holdHead();
    const returned = await Promise.race([transaction(db.sql, (tx) => audit.append(tx, placed(1))).then(() => true), sleep(5000, false)]);
    // committed and queued, while another transaction still holds the head
    expect(returned).toBe(true);
    expect(await inboxSize()).toBe(1);
    const [before] = await db.admin<{ n: number }[]>`select count(*)::int4 as n from audit_events`;
    expect(before!.n).toBe(0);
    // settled() (awaited before a process closes its pool) waits for that seal
    let settled = false;
    const settling = audit.settled().then(() => (settled = true));
    await sleep(100);
    expect(settled).toBe(false);
    await head.release();
    // the writer's process seals it (its round was waiting for the head), no read needed
    await settling;
    expect(await inboxSize()).toBe(0);
    const [sealed] = await db.admin<{ seq: number; tradeId: string }[]>`select seq, trade_id as "tradeId" from audit_events`;
    expect(sealed).toEqual({ seq: 1, tradeId: 't1' });
  });

  it('queues appends while the head is held and seals them in the order their transactions committed', async () => {
    const head = await holdHead();
    const writers: Promise<void>[] = [];
    for (let i = 0; i < 5; i++) {
      // each transaction commits before the next begins: a cause before its effect
      writers.push(transaction(db.sql, (tx) => audit.append(tx, placed(i))));
      await until(async () => (await inboxSize()) === i + 1);
    }
    const [events] = await db.admin<{ n: number }[]>`select count(*)::int4 as n from audit_events`;
    expect(events!.n).toBe(0);
    await head.release();
    await Promise.all(writers);
    await sealAudit(db.sql);
    const rows = await db.sql<{ seq: number; tradeId: string }[]>`select seq, trade_id as "tradeId" from audit_events order by seq`;
    expect(rows).toEqual([0, 1, 2, 3, 4].map((i) => ({ seq: i + 1, tradeId: `t${i}` })));
    expect(await verifyChain(db.sql)).toMatchObject({ ok: true, records: 5 });
  });

  it('finds a record altered after a group seal at that record', async () => {
    const head = await holdHead();
    const writers = Array.from({ length: 6 }, (_, i) => transaction(db.sql, (tx) => audit.append(tx, placed(i))));
    await until(async () => (await inboxSize()) === 6);
    await head.release();
    await Promise.all(writers);
    await sealAudit(db.sql);
    await db.admin.begin(async (tx) => {
      await tx`set local session_replication_role = replica`;
      await tx`update audit_events set payload = '{"i": 99}' where seq = 4`;
    });
    const result = await verifyChain(db.sql);
    expect(result.ok).toBe(false);
    expect(result.firstBadRecord).toMatchObject({ seq: 4, reason: expect.stringMatching(/altered/) });
  });

  it('leaves nothing, queued or sealed, when a transaction rolls back after its append', async () => {
    await transaction(db.sql, (tx) => audit.append(tx, placed(0)));
    const failing = () =>
      transaction(db.sql, async (tx) => {
        await audit.append(tx, placed(1));
        // Fails after the audit statement ran: sent behind it, with the COMMIT, which PostgreSQL
        // then answers with a rollback, not an error.
        sendWithCommit(tx, async () => tx`select 1 / 0`.execute());
      });
    await expect(failing()).rejects.toThrow(/division by zero/); // head free: sealed inline, then rolled back
    const head = await holdHead();
    await expect(failing()).rejects.toThrow(/division by zero/); // head held: queued, then rolled back
    await head.release();
    // and a failure at the end of the transaction, before its audit statement is sent
    await expect(
      transaction(db.sql, async (tx) => {
        await audit.append(tx, placed(2));
        beforeCommit(tx, () => {
          throw new Error('the state change failed');
        });
      }),
    ).rejects.toThrow('the state change failed');
    expect(await inboxSize()).toBe(0);
    expect(await verifyChain(db.sql)).toMatchObject({ ok: true, records: 1, headSeq: 1, unsealed: 0 });
  });

  it("sends a transaction's records with its COMMIT: no wait for the append's answer before it", async () => {
    const { sql, counter } = countingPool(db.url, { max: 1 });
    const pool = sql as unknown as Sql;
    try {
      await transaction(pool, (tx) => audit.append(tx, placed(0))); // connected, statements prepared
      counter.writes = 0;
      await transaction(pool, async (tx) => {
        await tx`select 1`; // the state change
        await audit.append(tx, placed(1));
      });
      // BEGIN with the state change, then the append with the COMMIT (3 with the append awaited first)
      expect(counter.writes).toBe(2);
      expect(await verifyChain(db.sql)).toMatchObject({ ok: true, records: 2 });
    } finally {
      await sql.end({ timeout: 5 });
    }
  });

  it('seals queued records before a read and before verification', async () => {
    const head = await holdHead();
    const first = await queueBehindHead(1);
    await head.release();
    expect(await inboxSize()).toBe(1);
    const read = await listAudit(db.sql, { limit: 10 });
    expect(read.map((r) => r.eventId)).toEqual([first]);

    const again = await holdHead();
    const second = await queueBehindHead(2);
    await again.release();
    // inside a transaction the verifier reads as it is, and says what waits
    expect(await db.sql.begin((tx) => verifyChain(tx))).toMatchObject({ ok: true, records: 1, unsealed: 1 });
    expect(await verifyChain(db.sql)).toMatchObject({ ok: true, records: 2, headSeq: 2, unsealed: 0 });
    const [sealed] = await db.sql<{ seq: number }[]>`select seq from audit_events where event_id = ${second}`;
    expect(sealed!.seq).toBe(2);
  });

  it('fails verification when committed records have waited more than a minute to be sealed', async () => {
    const head = await holdHead();
    await queueBehindHead(1);
    await head.release();
    await db.admin`update audit_inbox set queued_at = now() - interval '2 minutes'`;
    const result = await db.sql.begin((tx) => verifyChain(tx));
    expect(result.ok).toBe(false);
    expect(result.firstBadRecord).toMatchObject({ seq: 1, reason: expect.stringMatching(/waited more than 60 s/) });
  });

  it('lets the application role only read the inbox and the chain it is sealed into', async () => {
    await expect(db.sql`insert into audit_inbox (tail) values ('x')`).rejects.toThrow(/permission denied/);
    await expect(db.sql`delete from audit_inbox`).rejects.toThrow(/permission denied/);
    await expect(db.sql`select audit_seal_locked(10, null)`).rejects.toThrow(/permission denied/);
  });
});
