/**
 * The `postgres` driver as patched (patches/postgres+3.4.9.patch): a transaction's BEGIN always
 * reserves its connection, and its first statements are sent behind it without waiting for its
 * answer (one round trip fewer a transaction, porsager/postgres#951). Unpatched, a BEGIN that
 * filled a connection's pipeline (or met a socket under backpressure) failed with
 * UNSAFE_TRANSACTION and left the server's transaction open on a connection the pool handed out
 * again, so unrelated statements could run inside it (porsager/postgres#823, #1189, #1210, fixed
 * as in #1218; seen here as a failed risk reservation under the held-positions bench).
 * `max_pipeline: 0` makes every BEGIN fill it.
 */
import postgres from 'postgres';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { countingPool } from '../support/counting-pool.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';

let db: TestDatabase;

beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => db?.drop());

const openTransactions = async () =>
  Number((await db.admin<{ n: string }[]>`select count(*) as n from pg_stat_activity where datname = current_database() and state like 'idle in transaction%'`)[0]?.n);

it('reserves the connection of a BEGIN that fills the pipeline (max_pipeline 0: every BEGIN does)', async () => {
  // max_pipeline is an option of the driver that its types leave out
  const options = { max: 2, max_pipeline: 0, onnotice: () => {} };
  const sql = postgres(db.url, options);
  try {
    const [row] = await sql.begin((tx) => tx`select 1 as ok`);
    expect(row).toEqual({ ok: 1 });
    expect(await openTransactions()).toBe(0);
  } finally {
    await sql.end({ timeout: 5 });
  }
});

it("sends a transaction's first statement with its BEGIN: one wait fewer", async () => {
  const { sql, counter } = countingPool(db.url, { max: 1 });
  try {
    await sql`select 1 as ok`; // connected, and the statement prepared
    counter.writes = 0;
    const [row] = await sql.begin((tx) => tx`select 1 as ok`);
    expect(row).toEqual({ ok: 1 });
    // BEGIN and the select in one write, then COMMIT (unpatched: BEGIN, its answer, the select, COMMIT)
    expect(counter.writes).toBe(2);
  } finally {
    await sql.end({ timeout: 5 });
  }
});

it('runs the statements sent behind the BEGIN inside the transaction', async () => {
  // as the superuser: the test makes a table of its own
  const sql = postgres(db.adminUrl, { max: 2, onnotice: () => {} });
  try {
    // the BEGIN's options hold for its first statement
    const isolation = await sql.begin('isolation level repeatable read read only', async (tx) => (await tx<{ i: string }[]>`select current_setting('transaction_isolation') as i`)[0]!.i);
    expect(isolation).toBe('repeatable read');
    // and a failure rolls back what they did
    await sql`create table if not exists behind_begin (x int)`;
    await expect(
      sql.begin(async (tx) => {
        await tx`insert into behind_begin values (1)`;
        throw new Error('changed my mind');
      }),
    ).rejects.toThrow('changed my mind');
    expect(await sql`select * from behind_begin`).toHaveLength(0);
    // a BEGIN that may fail is waited for: behind a failed one the insert would commit on its own
    await expect(sql.begin('isolation level chaos', (tx) => tx`insert into behind_begin values (1)`)).rejects.toThrow(/syntax error/);
    expect(await sql`select * from behind_begin`).toHaveLength(0);
    // fifty at once on two connections: each transaction on one connection, none left open
    const sameTransaction = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        sql.begin(async (tx) => {
          const [first] = await tx<{ id: string }[]>`select txid_current()::text as id`;
          await tx`insert into behind_begin values (${i})`;
          const [second] = await tx<{ id: string }[]>`select txid_current()::text as id`;
          return first!.id === second!.id;
        }),
      ),
    );
    expect(sameTransaction.every(Boolean)).toBe(true);
    expect((await sql<{ n: number }[]>`select count(*)::int as n from behind_begin`)[0]!.n).toBe(50);
    expect(await openTransactions()).toBe(0);
  } finally {
    await sql.end({ timeout: 5 });
  }
});
