/**
 * Audit appends per second with the hash chain, against plain inserts of the same rows into a
 * table of the same shape, in the same run, at the same concurrency. Goal: the chain costs at
 * most 2x, with one writer and with eight.
 *
 * The two alternate in rounds (plain then chained, then chained then plain, ...) so that what
 * else the machine is doing falls on both alike; the ratio is of the totals over all rounds.
 */
import { createAuditLog } from '../src/audit/append.ts';
import { sealAudit } from '../src/audit/seal.ts';
import { createSql, type Sql } from '../src/db/pool.ts';
import { transaction } from '../src/db/transaction.ts';
import { goalRow } from './goals.ts';
import { type BenchInfra, load } from './infra.ts';

const event = (i: number) => ({
  type: 'ORDER_PLACED' as const,
  actor: { type: 'workflow' as const, id: `trade-t${i}` },
  accountId: 'main',
  tradeId: `t${i}`,
  payload: { tag: `t${i}E1`, side: 'BUY', quantity: 10, limitPricePaise: 245_050, broker: 'paper', brokerStatus: 'OPEN' },
});

const GOAL = 2;
const ROUNDS = 6;

/** Both at one writer (the chain's own cost) and at eight (its cost when appends meet at the head). */
export async function benchAudit(infra: BenchInfra) {
  const sequential = await benchAuditAt(infra, 500, 1);
  const concurrent = await benchAuditAt(infra, 1000, 8);
  return {
    rows: [
      goalRow('Audit chain append vs plain insert, 1 writer', `${sequential.costRatio}x`, `<= ${GOAL}x`, sequential.met),
      goalRow('Audit chain append vs plain insert, 8 writers', `${concurrent.costRatio}x`, `<= ${GOAL}x`, concurrent.met),
    ],
    sequential,
    concurrent,
    goals: { sequential: `costRatio <= ${GOAL}`, concurrent: `costRatio <= ${GOAL}` },
    met: { sequential: sequential.met, concurrent: concurrent.met },
  };
}

async function benchAuditAt(infra: BenchInfra, rowsPerRound: number, concurrency: number) {
  const sql: Sql = createSql(infra.appUrl, { max: concurrency, idleTimeoutS: 5, connectTimeoutS: 10, statementTimeoutMs: 0, applicationName: 'bench-audit' });
  const admin = createSql(infra.adminUrl, { max: 1, idleTimeoutS: 5, connectTimeoutS: 10, statementTimeoutMs: 0, applicationName: 'bench-audit' });
  try {
    await admin`create table if not exists bench_plain_events (like audit_events including defaults)`;
    await admin`alter table bench_plain_events drop constraint if exists bench_plain_events_pkey`;
    await admin`create sequence if not exists bench_plain_seq`;
    await admin.unsafe(`grant insert, select on bench_plain_events to ${new URL(infra.appUrl).username}; grant usage on bench_plain_seq to ${new URL(infra.appUrl).username}`);
    const audit = createAuditLog();
    let offset = 0;
    const plain = () =>
      load(rowsPerRound, concurrency, async (i) => {
        const e = event(offset + i);
        await transaction(sql, async (tx) => {
          await tx`
            insert into bench_plain_events (seq, event_id, occurred_at, event_type, severity, category, actor_type, actor_id, account_id, trade_id, payload, prev_hash, hash)
            values (nextval('bench_plain_seq'), gen_random_uuid(), now(), ${e.type}, 'LOW', 'order', ${e.actor.type}, ${e.actor.id}, ${e.accountId}, ${e.tradeId}, ${tx.json(e.payload)}, '', '')`;
        });
      });
    // Writers do not wait for the rounds that seal their queued records (src/audit/append.ts): a
    // round's time ends when the last of them is in the chain, so the sealing is counted in full.
    const chained = async () => {
      const started = performance.now();
      await load(rowsPerRound, concurrency, (i) => transaction(sql, (tx) => audit.append(tx, event(offset + i))));
      await sealAudit(sql);
      return { seconds: (performance.now() - started) / 1000 };
    };

    // one warm-up round of each, not counted (connections, plans, caches)
    await plain();
    await chained();
    let plainSeconds = 0;
    let chainedSeconds = 0;
    const roundRatios: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      offset += rowsPerRound;
      let p: number;
      let c: number;
      if (round % 2 === 0) {
        p = (await plain()).seconds;
        c = (await chained()).seconds;
      } else {
        c = (await chained()).seconds;
        p = (await plain()).seconds;
      }
      plainSeconds += p;
      chainedSeconds += c;
      roundRatios.push(Math.round((c / p) * 100) / 100);
    }
    const [unsealed] = await admin<{ n: number }[]>`select count(*)::int4 as n from audit_inbox`;
    const rows = rowsPerRound * ROUNDS;
    const ratio = chainedSeconds / plainSeconds;
    return {
      rows,
      rounds: ROUNDS,
      concurrency,
      plainPerSecond: Math.round(rows / plainSeconds),
      chainedPerSecond: Math.round(rows / chainedSeconds),
      costRatio: Math.round(ratio * 100) / 100,
      roundRatios,
      /** Records still queued at the end of the rounds: must be 0. */
      unsealedAfter: unsealed?.n ?? -1,
      goal: `costRatio <= ${GOAL}`,
      met: ratio <= GOAL,
    };
  } finally {
    await sql.end();
    await admin.end();
  }
}
