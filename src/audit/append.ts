/**
 * The one writer of the audit trail. `append(tx, event)` records the event in the caller's
 * transaction, so a state change and its audit record commit or roll back together. The records of
 * a transaction are written in one statement at its very end (`audit_append`, migration 0190):
 * sealed into the chain right there when the chain's head is free, else queued in `audit_inbox`
 * (in the same transaction) for whoever holds the head, so that concurrent writers commit side by
 * side instead of one after another. A writer whose records were queued waits after its commit
 * until they are sealed (seal.ts, one sealing statement for all the waiting writers of the
 * process): when `transaction()` returns, its records are in the chain. Once sealed, the records
 * are also copied to the day's JSONL file.
 *
 * @module
 */
import { randomUUID } from 'node:crypto';
import { afterCommit, beforeCommit, poolOf } from '../db/transaction.ts';
import type { Sql, TxSql } from '../db/pool.ts';
import { contentTail, scrubPayload } from './chain.ts';
import { type AuditEvent, type AuditRecord, defaultsOf } from './events.ts';
import type { AuditFileCopy } from './file-copy.ts';
import { groupSealer } from './seal.ts';

type Pending = Omit<AuditRecord, 'seq' | 'prevHash' | 'hash'>;
type Sealed = { seq: number; prevHash: string; hash: string };

export interface AuditLog {
  /** Record `event` in `tx` (opened with `transaction()`); it is written when `tx` commits. */
  append(tx: TxSql, event: AuditEvent): Promise<void>;
}

export interface AuditLogOptions {
  fileCopy?: AuditFileCopy;
  /** Clock, for tests. */
  now?: () => Date;
}

/** Where the queued records of `pending` ended up in the chain, once sealed. */
async function sealedPlaces(sql: Sql, pending: Pending[]): Promise<Sealed[]> {
  const rows = await sql<(Sealed & { eventId: string })[]>`
    select event_id as "eventId", seq, prev_hash as "prevHash", hash from audit_events where event_id = any(${sql.array(pending.map((p) => p.eventId))}::uuid[])`;
  const byId = new Map(rows.map((r) => [r.eventId, r]));
  return pending.map((p) => {
    const place = byId.get(p.eventId);
    if (!place) throw new Error(`audit record ${p.eventId} is not sealed yet`);
    return place;
  });
}

export function createAuditLog(options: AuditLogOptions = {}): AuditLog {
  const now = options.now ?? (() => new Date());
  const pendingByTx = new WeakMap<TxSql, Pending[]>();

  async function flush(tx: TxSql, pending: Pending[]): Promise<void> {
    const rows = await tx<(Partial<Sealed> & { inboxId: number | null })[]>`
      select inbox_id as "inboxId", seq, prev_hash as "prevHash", hash from audit_append(${tx.array(pending.map(contentTail))}::text[])`;
    if (rows.length !== pending.length) throw new Error('audit append wrote a different number of records');
    const queued = rows.flatMap((r) => (r.inboxId === null ? [] : [r.inboxId]));
    const fileCopy = options.fileCopy;
    const sql = poolOf(tx);
    afterCommit(tx, async () => {
      // Queued: wait for the seal, so the caller's next read of the chain finds these records.
      if (queued.length) await groupSealer(sql).sealed(queued);
      if (!fileCopy) return;
      const places = queued.length ? await sealedPlaces(sql, pending) : (rows as Sealed[]);
      for (const [i, content] of pending.entries()) await fileCopy.write({ seq: places[i]!.seq, ...content, prevHash: places[i]!.prevHash, hash: places[i]!.hash });
    });
  }

  return {
    async append(tx, event) {
      const defaults = defaultsOf(event.type);
      let pending = pendingByTx.get(tx);
      if (!pending) {
        const queue: Pending[] = [];
        pending = queue;
        pendingByTx.set(tx, queue);
        beforeCommit(tx, () => flush(tx, queue));
      }
      pending.push({
        eventId: randomUUID(),
        occurredAt: now().toISOString(),
        type: event.type,
        severity: event.severity ?? defaults.severity,
        category: defaults.category,
        actorType: event.actor.type,
        actorId: event.actor.id,
        accountId: event.accountId ?? null,
        tradeId: event.tradeId ?? null,
        workflowId: event.workflowId ?? null,
        runId: event.runId ?? null,
        clientIp: event.clientIp ?? null,
        requestId: event.requestId ?? null,
        payload: (scrubPayload(event.payload ?? {}) ?? {}) as Record<string, unknown>,
      });
    },
  };
}
