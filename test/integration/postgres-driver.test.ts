/**
 * The `postgres` driver as patched (patches/postgres+3.4.9.patch): a transaction's BEGIN always
 * reserves its connection. Unpatched, a BEGIN that filled a connection's pipeline (or met a socket
 * under backpressure) failed with UNSAFE_TRANSACTION and left the server's transaction open on a
 * connection the pool handed out again, so unrelated statements could run inside it
 * (porsager/postgres#823, #1189, #1210, fixed as in #1218; seen here as a failed risk
 * reservation under the held-positions bench). `max_pipeline: 0` makes every BEGIN fill it.
 */
import postgres from 'postgres';
import { afterAll, beforeAll, expect, it } from 'vitest';
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
