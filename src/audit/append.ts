/**
 * The one writer of the audit trail. `append(tx, event)` records the event in the caller's
 * transaction, so a state change and its audit record commit or roll back together. The records of
 * a transaction are written in one statement at its very end, sent with its COMMIT so that
 * whatever the transaction locked (the chain's head among it) is held one round trip less
 * (`audit_append`, migration 0190; `sendWithCommit` in db/transaction.ts):
 * sealed into the chain right there when the chain's head is free, else queued in `audit_inbox`
 * (in the same transaction) for whoever holds the head, so that concurrent writers commit side by
 * side instead of one after another. Queued records are sealed right after the commit by the
 * process's sealing round (seal.ts, one statement for every writer queued meanwhile), which the
 * writer does not wait for: waiting cost each queued writer a second round trip and flush
 * (docs/benchmarks.md, "Audit chain"). So when `transaction()` returns its records are
 * durable and in their place in the order, and in `audit_events` a moment later; whatever reads
 * the chain seals what is queued first (`sealBeforeRead`), so no read misses them. Once sealed, the
 * records are also copied to the day's JSONL file.
 *
 * @module
 */
import { randomUUID } from 'node:crypto';
import { afterCommit, poolOf, sendWithCommit } from '../db/transaction.ts';
import type { Sql, TxSql } from '../db/pool.ts';
import type { Logger } from '../config/logger.ts';
import { contentTail, scrubPayload } from './chain.ts';
import { type AuditEvent, type AuditRecord, defaultsOf } from './events.ts';
import type { AuditFileCopy } from './file-copy.ts';
import { groupSealer } from './seal.ts';

type Pending = Omit<AuditRecord, 'seq' | 'prevHash' | 'hash'>;
type Sealed = { seq: number; prevHash: string; hash: string };

export interface AuditLog {
  /** Record `event` in `tx` (opened with `transaction()`); it is written when `tx` commits. */
  append(tx: TxSql, event: AuditEvent): Promise<void>;
  /** Resolves once the records this log queued so far are sealed and copied: await it before the pool closes. */
  settled(): Promise<void>;
}

export interface AuditLogOptions {
  fileCopy?: AuditFileCopy;
  /** Where a failed sealing round is reported (its records stay queued: the next append, round or read seals them). */
  log?: Logger;
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
  /** Queued records on their way into the chain (and the day file). */
  const sealing = new Set<Promise<void>>();

  /** The transaction's records in one statement, sent with its COMMIT (db/transaction.ts). */
  async function flush(tx: TxSql, pending: Pending[]): Promise<void> {
    // execute(): issued now, ahead of the COMMIT (awaiting the query alone issues it a tick later)
    const rows = await tx<(Partial<Sealed> & { inboxId: number | null })[]>`
      select inbox_id as "inboxId", seq, prev_hash as "prevHash", hash from audit_append(${tx.array(pending.map(contentTail))}::text[])`.execute();
    const queued = rows.flatMap((r) => (r.inboxId === null ? [] : [r.inboxId]));
    const fileCopy = options.fileCopy;
    const sql = poolOf(tx);
    const copy =
      fileCopy &&
      (async (places: Sealed[]) => {
        for (const [i, content] of pending.entries()) await fileCopy.write({ seq: places[i]!.seq, ...content, prevHash: places[i]!.prevHash, hash: places[i]!.hash });
      });
    afterCommit(tx, async () => {
      // audit_append answers one row per record (migration 0190). The COMMIT went out with it, so
      // a different count is reported, not thrown: the records and their state committed either way.
      if (rows.length !== pending.length) {
        options.log?.error({ rows: rows.length, records: pending.length }, 'audit: the append answered a different number of rows than records; their day-file copy is skipped');
        return;
      }
      if (!queued.length) return copy?.(rows as Sealed[]);
      // Sealed by the process's next round, which the caller does not wait for (see the module's comment).
      const sealed = groupSealer(sql)
        .sealed(queued)
        .then(async () => {
          if (copy) await copy(await sealedPlaces(sql, pending));
        })
        .catch((err: unknown) => options.log?.warn({ err }, 'audit: sealing queued records failed; the next append, round or read of the chain seals them'))
        .finally(() => sealing.delete(sealed));
      sealing.add(sealed);
    });
  }

  return {
    async settled() {
      await Promise.all(sealing);
    },
    async append(tx, event) {
      const defaults = defaultsOf(event.type);
      let pending = pendingByTx.get(tx);
      if (!pending) {
        const queue: Pending[] = [];
        pending = queue;
        pendingByTx.set(tx, queue);
        sendWithCommit(tx, () => flush(tx, queue));
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
