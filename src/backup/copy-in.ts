/**
 * Loading COPY text into a table (`COPY ... FROM STDIN`) inside a transaction, such that a row the
 * server refuses fails the load with the server's own error instead of hanging.
 *
 * @module
 */
import type { Readable, Transform, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { TxSql } from '../db/pool.ts';

/**
 * Pipe `source` (and any transforms after it) into `COPY table (columns) FROM STDIN`.
 *
 * porsager/postgres#1173 (fix pending in PR #1183): when the server refuses the data after the
 * client has sent CopyDone (a bad row in a small table, a constraint checked at the end of the
 * statement), the driver never finishes the writable, so a plain `pipeline` waits forever and
 * `sql.begin` never rolls back. The driver does reject the COPY query itself with the server's
 * error, after it has already resolved it with the stream; we listen for that rejection and race
 * it against the pipeline. `reject` is a field of the driver's Query (postgres 3.4.x); if a later
 * version drops it this throws at once rather than hanging.
 */
export async function copyIn(tx: TxSql, table: string, columns: readonly string[], source: Readable, ...transforms: Transform[]): Promise<void> {
  const query = tx`copy ${tx(table)} (${tx(columns as string[])}) from stdin`;
  const refused = serverRefusal(query);
  let sink: Writable;
  try {
    sink = await query.writable();
  } catch (err) {
    source.destroy();
    throw err;
  }
  const loaded = pipeline([source, ...transforms, sink]);
  try {
    await Promise.race([loaded, refused]);
  } catch (err) {
    // The pipeline may still be waiting on the dead writable: end the file stream it reads.
    source.destroy();
    loaded.catch(() => undefined);
    throw err;
  }
}

function serverRefusal(query: object): Promise<never> {
  const q = query as { reject?: (err: unknown) => void };
  const original = q.reject;
  if (typeof original !== 'function') {
    throw new Error('postgres driver internals changed (Query.reject missing): review src/backup/copy-in.ts before restoring');
  }
  const refused = new Promise<never>((_, reject) => {
    q.reject = (err: unknown) => {
      reject(err);
      original(err);
    };
  });
  refused.catch(() => undefined); // handled by the race; a COPY that succeeds never settles this
  return refused;
}
