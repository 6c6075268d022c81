/**
 * The worker's exit book (exit-book.ts) following exit_watches: read whole at start and after
 * every reconnect of the listening connection (what was announced meanwhile is lost), and each
 * announced change read by its workflow id (changes that arrive together in one statement).
 *
 * @module
 */
import { exitWatches, listenExitWatches, unbookExitWatch } from '../db/exit-watches.ts';
import type { Sql } from '../db/pool.ts';
import { ExitBook, type ExitBookOptions, RETRY_SIGNAL_MS } from './exit-book.ts';

/** What the book works with: where it lives (the worker's own thread, src/worker/exit-book-thread.ts) decides what these are. */
export type ExitBookParts = Omit<ExitBookOptions, 'forget' | 'now'> & { sql: Sql };

export interface RunningExitBook {
  book: ExitBook;
  close(): Promise<void>;
}

/** Start the book; resolves once it listens and has read the table. */
export async function startExitBook(parts: ExitBookParts): Promise<RunningExitBook> {
  const { sql, log } = parts;
  const book = new ExitBook({ ...parts, forget: (workflowId) => unbookExitWatch(sql, workflowId) });
  const changed = new Set<string>();
  let reading: Promise<void> | undefined;
  let readAll = false;
  let closed = false;

  async function read(): Promise<void> {
    // a stopped worker stops reading (its pool may be gone: no retrying every second for ever)
    while (!closed && (readAll || changed.size)) {
      const all = readAll;
      const ids = [...changed];
      readAll = false;
      changed.clear();
      try {
        if (all) book.replaceAll(await exitWatches(sql));
        else {
          const found = new Map((await exitWatches(sql, ids)).map((w) => [w.workflowId, w]));
          for (const id of ids) {
            const watch = found.get(id);
            if (watch) book.put(watch);
            else book.remove(id);
          }
        }
      } catch (err) {
        log.warn({ err }, 'could not read the exit book; reading all of it again');
        readAll = true;
        await new Promise((r) => setTimeout(r, RETRY_SIGNAL_MS));
      }
    }
  }
  const readSoon = (): void => {
    reading ??= read().finally(() => {
      reading = undefined;
      if (!closed && (readAll || changed.size)) readSoon(); // announced while the last read was ending
    });
  };

  const unlisten = await listenExitWatches(
    sql,
    (workflowId) => {
      changed.add(workflowId);
      readSoon();
    },
    () => {
      readAll = true;
      readSoon();
    },
  );
  await reading;
  return {
    book,
    async close() {
      closed = true;
      await unlisten();
      book.close();
    },
  };
}
