/**
 * Driving the audit chain's group sealing from tests: hold the chain's head as a busy sealer would,
 * and queue records behind it as a writer whose transaction committed meanwhile.
 */
import { randomUUID } from 'node:crypto';
import { contentTail } from '../../src/audit/chain.ts';
import { AUDIT_HEAD_LOCK } from '../../src/audit/seal.ts';
import type { Sql } from '../../src/db/pool.ts';

/** Hold the chain's head in a transaction of `admin` until `release`: every append meanwhile is queued. */
export async function holdHead(admin: Sql): Promise<{ release: () => Promise<void> }> {
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  let held!: () => void;
  const isHeld = new Promise<void>((resolve) => (held = resolve));
  const holder = admin.begin(async (tx) => {
    await tx`select pg_advisory_xact_lock(${AUDIT_HEAD_LOCK})`;
    held();
    await released;
  });
  await isHeld;
  return {
    release: async () => {
      release();
      await holder;
    },
  };
}

/** A record's content as audit_append takes it: an ORDER_PLACED of a made-up workflow, with `over` in place. */
type RecordContent = Parameters<typeof contentTail>[0];

/**
 * Append one record through audit_append in a transaction of its own; its sequence number, or null
 * when it was queued (another transaction held the head) and committed without waiting for the seal.
 */
export async function appendRecord(sql: Sql, over: Partial<RecordContent> = {}): Promise<{ eventId: string; seq: number | null }> {
  const eventId = randomUUID();
  const tail = contentTail({
    eventId,
    occurredAt: new Date().toISOString(),
    type: 'ORDER_PLACED',
    severity: 'LOW',
    category: 'order',
    actorType: 'workflow',
    actorId: 'wf',
    accountId: null,
    tradeId: null,
    workflowId: null,
    runId: null,
    clientIp: null,
    requestId: null,
    payload: {},
    ...over,
  });
  const rows = await sql.begin((tx) => tx<{ seq: number | null }[]>`select seq from audit_append(${tx.array([tail])}::text[])`);
  return { eventId, seq: rows[0]?.seq ?? null };
}

/** Queue one record (the head must be held); returns its event id. */
export async function queueRecord(sql: Sql, i: number): Promise<string> {
  const { eventId, seq } = await appendRecord(sql, { actorId: `wf-${i}`, tradeId: `t${i}`, payload: { i } });
  if (seq !== null) throw new Error('the record was sealed inline: hold the head first');
  return eventId;
}

export async function inboxSize(sql: Sql): Promise<number> {
  const [row] = await sql<{ n: number }[]>`select count(*)::int4 as n from audit_inbox`;
  return row!.n;
}
