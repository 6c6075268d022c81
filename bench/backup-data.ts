/**
 * Data for the backup benchmark: trades made by `generate_series`, and audit events with a valid
 * hash chain (so the restored chain verifies) streamed in by COPY.
 *
 * @module
 */
import { Readable } from 'node:stream';
import { GENESIS_HASH, recordHash } from '../src/audit/chain.ts';
import { copyIn } from '../src/backup/copy-in.ts';
import { ensureAccount } from '../src/db/accounts.ts';
import type { Sql } from '../src/db/pool.ts';

const AUDIT_COLUMNS = ['seq', 'event_id', 'occurred_at', 'event_type', 'severity', 'category', 'actor_type', 'actor_id', 'account_id', 'trade_id', 'workflow_id', 'run_id', 'client_ip', 'request_id', 'payload', 'prev_hash', 'hash'];

/** Audit events with a valid hash chain, as COPY text lines (the payloads need no escaping). */
function* auditLines(count: number): Generator<Buffer, string> {
  let prev = GENESIS_HASH;
  const start = Date.UTC(2026, 0, 1);
  let batch: string[] = [];
  for (let seq = 1; seq <= count; seq++) {
    const content = {
      eventId: `00000000-0000-4000-8000-${seq.toString(16).padStart(12, '0')}`,
      occurredAt: new Date(start + seq * 250).toISOString(),
      type: seq % 3 ? 'ORDER_FILLED' : 'TRADE_REQUESTED',
      severity: 'LOW' as const,
      category: 'order',
      actorType: 'system' as const,
      actorId: 'bench',
      accountId: 'main',
      tradeId: `t${String(seq % 400_000).padStart(15, 'a')}`,
      workflowId: null,
      runId: null,
      clientIp: null,
      requestId: null,
      payload: { seq, pricePaise: 245_000 + (seq % 997), symbol: 'RELIANCE' },
    };
    const hash = recordHash(prev, seq, content);
    const n = '\\N';
    batch.push(
      [seq, content.eventId, content.occurredAt, content.type, content.severity, content.category, content.actorType, content.actorId, content.accountId, content.tradeId, n, n, n, n, JSON.stringify(content.payload), prev, hash].join('\t'),
    );
    prev = hash;
    if (batch.length === 5000 || seq === count) {
      yield Buffer.from(`${batch.join('\n')}\n`);
      batch = [];
    }
  }
  return prev;
}

export async function generateBenchData(sql: Sql, counts: { auditEvents: number; trades: number }): Promise<void> {
  await ensureAccount(sql, 'main', 50_000_000);
  await sql`
    insert into trades (id, account_id, workflow_id, request_fingerprint, requested_by, symbol, exchange, product, side, quantity,
      order_type, limit_price_paise, intraday, status, filled_quantity, entry_price_paise, created_at)
    select 't' || lpad(g::text, 15, 'a'), 'main', 'trade-' || g, md5(g::text) || md5((g + 1)::text), 'bench', 'RELIANCE', 'NSE', 'CASH',
      case when g % 2 = 0 then 'BUY' else 'SELL' end, 1 + g % 50, 'LIMIT', 245000 + g % 997, true, 'CLOSED', 1 + g % 50, 245000 + g % 991,
      timestamptz '2026-01-01' + g * interval '1 second'
    from generate_series(1, ${counts.trades}) g`;
  await sql.begin(async (tx) => {
    const lines = auditLines(counts.auditEvents);
    let head = GENESIS_HASH;
    const source = Readable.from(
      (function* () {
        for (;;) {
          const next = lines.next();
          if (next.done) {
            head = next.value;
            return;
          }
          yield next.value;
        }
      })(),
    );
    await copyIn(tx, 'audit_events', AUDIT_COLUMNS, source);
    await tx`update audit_head set seq = ${counts.auditEvents}, hash = ${head} where id = 1`;
  });
}
