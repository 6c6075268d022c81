/**
 * The one writer of the audit trail. `append(tx, event)` runs inside the caller's transaction, so a
 * state change and its audit record commit or roll back together. The head row is locked for the
 * append, which serialises appends: the chain never forks. Once the transaction commits, the
 * record is also copied to the day's JSONL file.
 *
 * @module
 */
import { randomUUID } from 'node:crypto';
import { afterCommit } from '../db/transaction.ts';
import type { TxSql } from '../db/pool.ts';
import { contentTail, scrubPayload } from './chain.ts';
import { type AuditEvent, type AuditRecord, defaultsOf } from './events.ts';
import type { AuditFileCopy } from './file-copy.ts';

export interface AuditLog {
  /** Append `event` in `tx` (opened with `transaction()`); resolves to the stored record. */
  append(tx: TxSql, event: AuditEvent): Promise<AuditRecord>;
}

export interface AuditLogOptions {
  fileCopy?: AuditFileCopy;
  /** Clock, for tests. */
  now?: () => Date;
}

export function createAuditLog(options: AuditLogOptions = {}): AuditLog {
  const now = options.now ?? (() => new Date());
  return {
    async append(tx, event) {
      const defaults = defaultsOf(event.type);
      const content = {
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
      };
      const tail = contentTail(content);
      // Lock the head, take the next sequence number, hash (same formula as chain.ts) and move the head.
      const [row] = await tx<{ seq: number; prevHash: string; hash: string }[]>`
        with head as (
          select seq, hash from audit_head where id = 1 for update
        ), inserted as (
          insert into audit_events (
            seq, event_id, occurred_at, event_type, severity, category, actor_type, actor_id,
            account_id, trade_id, workflow_id, run_id, client_ip, request_id, payload, prev_hash, hash)
          select head.seq + 1, ${content.eventId}, ${content.occurredAt}, ${content.type}, ${content.severity},
            ${content.category}, ${content.actorType}, ${content.actorId}, ${content.accountId}, ${content.tradeId},
            ${content.workflowId}, ${content.runId}, ${content.clientIp}, ${content.requestId},
            ${tx.json(content.payload as never)}, head.hash,
            encode(sha256(convert_to(head.hash || E'\\n[' || (head.seq + 1)::text || ',' || ${tail}::text, 'UTF8')), 'hex')
          from head
          returning seq, prev_hash, hash
        )
        update audit_head set seq = inserted.seq, hash = inserted.hash from inserted where audit_head.id = 1
        returning inserted.seq as seq, inserted.prev_hash as "prevHash", inserted.hash as hash`;
      if (!row) throw new Error('audit head row is missing');
      const record: AuditRecord = { seq: row.seq, ...content, prevHash: row.prevHash, hash: row.hash };
      const fileCopy = options.fileCopy;
      if (fileCopy) afterCommit(tx, () => fileCopy.write(record));
      return record;
    },
  };
}
