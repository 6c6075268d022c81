/**
 * A table's rows as COPY text (`COPY ... TO STDOUT`), streamed. Works on the pool and on a
 * transaction-scoped `sql` from `sql.begin` (the backup reads every table inside one snapshot;
 * test/integration/backup-copy.test.ts proves it).
 *
 * @module
 */
import type { Readable } from 'node:stream';
import type { Queryable } from '../db/pool.ts';

/**
 * Stream `columns` of `table` as COPY text. Consume the stream to its end before the next query
 * on the same connection.
 */
export async function copyOut(sql: Queryable, table: string, columns: readonly string[]): Promise<Readable> {
  const stream: Readable = await sql`copy (select ${sql(columns as string[])} from ${sql(table)}) to stdout`.readable();
  // porsager/postgres#499 (fix pending in PR #1016): when the last CopyData fills the stream's
  // buffer and CopyDone arrives in the same socket chunk, the driver leaves the socket paused and
  // the next query on this connection never answers. The stream's read hook is what resumes the
  // socket, so call it once the stream has ended; on a flowing socket it does nothing.
  stream.once('end', () => (stream as unknown as { _read(size: number): void })._read(0));
  return stream;
}
