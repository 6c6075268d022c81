/**
 * The one writer of the audit trail. `append(tx, event)` records the event in the caller's
 * transaction, so a state change and its audit record commit or roll back together. The records of
 * a transaction are written in one statement at its very end (`audit_append_batch`), which locks
 * the chain's head only while the transaction commits: appends are serialised (the chain never
 * forks) without holding every other transaction back for the whole of this one, and the chain's
 * order is the commit order. Once the transaction has committed, the records are also copied to
 * the day's JSONL file.
 *
 * @module
 */
import { randomUUID } from 'node:crypto';
import { afterCommit, beforeCommit } from '../db/transaction.ts';
import type { TxSql } from '../db/pool.ts';
import { contentTail, scrubPayload } from './chain.ts';
import { type AuditEvent, type AuditRecord, defaultsOf } from './events.ts';
import type { AuditFileCopy } from './file-copy.ts';

type Pending = Omit<AuditRecord, 'seq' | 'prevHash' | 'hash'>;

export interface AuditLog {
  /** Record `event` in `tx` (opened with `transaction()`); it is written when `tx` commits. */
  append(tx: TxSql, event: AuditEvent): Promise<void>;
}

export interface AuditLogOptions {
  fileCopy?: AuditFileCopy;
  /** Clock, for tests. */
  now?: () => Date;
}

export function createAuditLog(options: AuditLogOptions = {}): AuditLog {
  const now = options.now ?? (() => new Date());
  const pendingByTx = new WeakMap<TxSql, Pending[]>();

  async function flush(tx: TxSql, pending: Pending[]): Promise<void> {
    const batch = pending.map((content) => ({ ...content, tail: contentTail(content) }));
    const rows = await tx<{ seq: number; prevHash: string; hash: string }[]>`
      select seq, prev_hash as "prevHash", hash from audit_append_batch(${tx.json(batch as never)})`;
    if (rows.length !== pending.length) throw new Error('audit append wrote a different number of records');
    const records: AuditRecord[] = pending.map((content, i) => ({ seq: rows[i]!.seq, ...content, prevHash: rows[i]!.prevHash, hash: rows[i]!.hash }));
    const fileCopy = options.fileCopy;
    if (fileCopy) afterCommit(tx, async () => {
      for (const record of records) await fileCopy.write(record);
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
