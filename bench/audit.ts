/**
 * Audit appends per second with the hash chain, against plain inserts of the same rows into a
 * table of the same shape, in the same run, at the same concurrency. Goal: the chain costs at
 * most 2x.
 */
import { createAuditLog } from '../src/audit/append.ts';
import { createSql, type Sql } from '../src/db/pool.ts';
import { transaction } from '../src/db/transaction.ts';
import { type BenchInfra, load } from './infra.ts';

const event = (i: number) => ({
  type: 'ORDER_PLACED' as const,
  actor: { type: 'workflow' as const, id: `trade-t${i}` },
  accountId: 'main',
  tradeId: `t${i}`,
  payload: { tag: `t${i}E1`, side: 'BUY', quantity: 10, limitPricePaise: 245_050, broker: 'paper', brokerStatus: 'OPEN' },
});

/** Both at one writer (the chain's own cost) and at eight (its cost when appends queue for the head). */
export async function benchAudit(infra: BenchInfra) {
  return { sequential: await benchAuditAt(infra, 3000, 1), concurrent: await benchAuditAt(infra, 5000, 8) };
}

async function benchAuditAt(infra: BenchInfra, rows: number, concurrency: number) {
  const sql: Sql = createSql(infra.appUrl, { max: concurrency, idleTimeoutS: 5, connectTimeoutS: 10, statementTimeoutMs: 0, applicationName: 'bench-audit' });
  const admin = createSql(infra.adminUrl, { max: 1, idleTimeoutS: 5, connectTimeoutS: 10, statementTimeoutMs: 0, applicationName: 'bench-audit' });
  try {
    await admin`create table if not exists bench_plain_events (like audit_events including defaults)`;
    await admin`alter table bench_plain_events drop constraint if exists bench_plain_events_pkey`;
    await admin`create sequence if not exists bench_plain_seq`;
    await admin.unsafe(`grant insert, select on bench_plain_events to ${new URL(infra.appUrl).username}; grant usage on bench_plain_seq to ${new URL(infra.appUrl).username}`);
    const audit = createAuditLog();

    const plain = await load(rows, concurrency, async (i) => {
      const e = event(i);
      await transaction(sql, async (tx) => {
        await tx`
          insert into bench_plain_events (seq, event_id, occurred_at, event_type, severity, category, actor_type, actor_id, account_id, trade_id, payload, prev_hash, hash)
          values (nextval('bench_plain_seq'), gen_random_uuid(), now(), ${e.type}, 'LOW', 'order', ${e.actor.type}, ${e.actor.id}, ${e.accountId}, ${e.tradeId}, ${tx.json(e.payload)}, '', '')`;
      });
    });
    const chained = await load(rows, concurrency, async (i) => {
      await transaction(sql, (tx) => audit.append(tx, event(i)));
    });
    const plainPerSecond = rows / plain.seconds;
    const chainedPerSecond = rows / chained.seconds;
    return {
      rows,
      concurrency,
      plainPerSecond: Math.round(plainPerSecond),
      chainedPerSecond: Math.round(chainedPerSecond),
      costRatio: Math.round((plainPerSecond / chainedPerSecond) * 100) / 100,
      goal: 'costRatio <= 2',
      met: plainPerSecond / chainedPerSecond <= 2,
    };
  } finally {
    await sql.end();
    await admin.end();
  }
}
