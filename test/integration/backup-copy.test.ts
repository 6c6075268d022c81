import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { copyIn } from '../../src/backup/copy-in.ts';
import { copyOut } from '../../src/backup/copy-out.ts';
import { RowDigest } from '../../src/backup/row-digest.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
  await db.admin`create table copy_probe (id int primary key, note text)`;
  await db.admin`insert into copy_probe select g, repeat('x', 200) || g from generate_series(1, 20000) g`;
});
afterAll(async () => db?.drop());

async function drain(stream: Readable, digest = new RowDigest()): Promise<RowDigest> {
  await pipeline(stream, digest, new Writable({ write: (_c, _e, done) => done() }));
  return digest;
}

it('streams COPY TO STDOUT from the transaction-scoped sql of sql.begin, table after table, inside one snapshot', async () => {
  const seen = await db.admin.begin('isolation level repeatable read read only', async (tx) => {
    const first = await drain(await copyOut(tx, 'copy_probe', ['id', 'note']));
    // A row committed by another connection after the snapshot began is not in the second copy.
    await db.admin`insert into copy_probe values (20001, 'late')`;
    const second = await drain(await copyOut(tx, 'copy_probe', ['id', 'note']));
    const [counted] = await tx<{ n: number }[]>`select count(*)::int as n from copy_probe`;
    return { first: first.rows, second: second.rows, counted: counted?.n, same: first.digest === second.digest };
  });
  expect(seen).toEqual({ first: 20000, second: 20000, counted: 20000, same: true });
  await db.admin`delete from copy_probe where id = 20001`;
});

it('rejects a COPY FROM the server refuses with the server error, and rolls the transaction back', async () => {
  const attempt = db.admin.begin(async (tx) => {
    await tx`create table copy_target (id int primary key)`;
    // Small enough that the client has sent CopyDone before the server sees the duplicate key.
    await copyIn(tx, 'copy_target', ['id'], Readable.from([Buffer.from('1\n2\n2\n')]));
  });
  await expect(attempt).rejects.toMatchObject({ code: '23505' });
  const [row] = await db.admin`select to_regclass('copy_target') is null as gone`;
  expect(row?.gone).toBe(true);
});

it('loads COPY text with copyIn and reads back the same row digest', async () => {
  const chunks: Buffer[] = [];
  const original = new RowDigest();
  await pipeline(await copyOut(db.admin, 'copy_probe', ['id', 'note']), original, new Writable({ write: (c: Buffer, _e, done) => (chunks.push(c), done()) }));
  const back = await db.admin.begin(async (tx) => {
    await tx`create temp table copy_back (like copy_probe) on commit drop`;
    await copyIn(tx, 'copy_back', ['id', 'note'], Readable.from(chunks));
    return drain(await copyOut(tx, 'copy_back', ['id', 'note']));
  });
  expect(back.rows).toBe(20000);
  expect(back.digest).toBe(original.digest);
});
