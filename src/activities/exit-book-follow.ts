/**
 * The worker's exit book (exit-book.ts) following exit_watches: read whole at start and after
 * every reconnect of the listening connection (what was announced meanwhile is lost), and each
 * announced change read by its workflow id (changes that arrive together in one statement).
 *
 * @module
 */
import { exitWatches, listenExitWatches, unbookExitWatch } from '../db/exit-watches.ts';
import type { ActivityDeps } from './context.ts';
import { ExitBook, RETRY_SIGNAL_MS } from './exit-book.ts';
import { workerPriceRecorder } from './price-recorder.ts';
import { workerQuoteRation } from './quote-ration.ts';

export interface RunningExitBook {
  book: ExitBook;
  close(): Promise<void>;
}

/** Start the worker's book; resolves once it listens and has read the table. */
export async function startExitBook(deps: ActivityDeps): Promise<RunningExitBook> {
  const { sql, log } = deps;
  const book = new ExitBook({
    prices: deps.prices,
    ration: workerQuoteRation(deps),
    orderChanges: deps.orderNotices ? undefined : deps.paperOrderChanges,
    trades: deps.trades,
    record: workerPriceRecorder(deps),
    forget: (workflowId) => unbookExitWatch(sql, workflowId),
    latency: deps.brokerMetrics?.latency,
    log,
    staleMs: deps.config.market.PRICE_STALE_S * 1000,
  });
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
