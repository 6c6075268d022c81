/**
 * The worker's exit book on a thread of its own (./exit-book-thread-entry.ts), so that a tick is
 * judged when it arrives, not when the worker's main thread is done carrying out exits: under
 * load that thread runs the activities, the database driver's writes and its own garbage
 * collections for tens to hundreds of milliseconds at a stretch, and a tick waiting behind them
 * decided a stop that late (docs/benchmarks.md#10000-held-positions-benchpositionsts).
 *
 * The main thread keeps what must stay one per worker: the REST quotes a stale feed asks for (one
 * rationed call budget, quote-ration.ts), the recording of the book's prices for the risk engine
 * (its own feed watches what the book watches, which also moves the paper exchange's walk as
 * before), and the trader-latency histogram. A thread that fails is started again; the book it
 * starts with is read from exit_watches, as at every start.
 *
 * @module
 */
import { Worker } from 'node:worker_threads';
import type { PriceRecorder } from '../activities/price-recorder.ts';
import type { QuoteRation } from '../activities/quote-ration.ts';
import type { PriceFeed, Unwatch } from '../broker/price-feed.ts';
import type { Config } from '../config.ts';
import type { Logger } from '../config/logger.ts';
import { type Instrument, instrumentKey } from '../domain/trade.ts';
import type { TradeLatency } from '../observability/trade-latency.ts';
import type { ExitBookThreadData, FromBook, ToBook } from './exit-book-messages.ts';

/** A failed thread starts again after this. */
const RESTART_MS = 1_000;
/** A closing thread that has not ended by then is stopped. */
const CLOSE_TIMEOUT_MS = 10_000;

/** Plain JavaScript that registers tsx in the thread, then loads ./exit-book-thread-entry.ts. */
const BOOT = new URL('./exit-book-thread-boot.mjs', import.meta.url);

export interface ExitBookThreadDeps {
  config: Config;
  log: Logger;
  /** The worker's own feed: it watches what the book watches. */
  prices: PriceFeed;
  ration: QuoteRation;
  record: PriceRecorder;
  latency?: Pick<TradeLatency, 'tickToDecision'> | undefined;
  /** Tell trades of their resting orders' changes (the paper exchange announces every one). */
  announceOrderChanges: boolean;
}

export interface RunningExitBookThread {
  close(): Promise<void>;
  /** Ends the running thread as a crash would: it is started again (its restart is tested so). */
  kill(): Promise<void>;
}

/** Start the book's thread; resolves once it listens and has read the book (rejects if it cannot start). */
export async function startExitBookThread(deps: ExitBookThreadDeps): Promise<RunningExitBookThread> {
  const { log } = deps;
  let current: Worker | undefined;
  let closing = false;
  const data: ExitBookThreadData = { config: deps.config, logLevel: deps.log.level as ExitBookThreadData['logLevel'], announceOrderChanges: deps.announceOrderChanges };

  function spawn(): Promise<Worker> {
    const thread = new Worker(BOOT, { workerData: data });
    thread.unref(); // the worker's own run keeps the process alive, not this
    const mirrored = new Map<string, { count: number; unwatch: Unwatch }>();
    const send = (message: ToBook) => thread.postMessage(message);

    const mirror = (instrument: Instrument) => {
      const key = instrumentKey(instrument);
      const held = mirrored.get(key);
      if (held) held.count++;
      else mirrored.set(key, { count: 1, unwatch: deps.prices.watch(instrument, (tick) => deps.record(key, tick.lastPricePaise, tick.at)) });
    };
    const unmirror = (instrument: Instrument) => {
      const key = instrumentKey(instrument);
      const held = mirrored.get(key);
      if (!held || --held.count > 0) return;
      held.unwatch();
      mirrored.delete(key);
    };
    const answer = (id: number, instrument: Instrument) => {
      deps.ration.get(instrument).then(
        (quote) => {
          if (quote) deps.record(instrumentKey(instrument), quote.lastPricePaise, quote.at);
          send({ type: 'quote', id, quote });
        },
        (err: unknown) => send({ type: 'quote', id, error: err instanceof Error ? err.message : String(err) }),
      );
    };

    return new Promise((resolve, reject) => {
      let ready = false;
      thread.on('message', (message: FromBook) => {
        switch (message.type) {
          case 'ready':
            ready = true;
            // the running thread from now on: an exit after this is a failure to recover from
            if (!closing) current = thread;
            resolve(thread);
            return;
          case 'quote':
            return answer(message.id, message.instrument);
          case 'decided':
            return deps.latency?.tickToDecision(message.trigger, message.seconds);
          case 'watch':
            return mirror(message.instrument);
          case 'unwatch':
            return unmirror(message.instrument);
        }
      });
      thread.on('error', (err) => {
        if (!ready) return reject(err);
        log.error({ err }, "the exit book's thread failed");
      });
      thread.on('exit', (code) => {
        for (const { unwatch } of mirrored.values()) unwatch();
        mirrored.clear();
        if (!ready) return reject(new Error(`the exit book's thread ended with code ${code} before it was ready`));
        if (closing || current !== thread) return;
        current = undefined;
        log.error({ code, alert: 'exit_book_thread_failed' }, "the exit book's thread ended: stops and targets are not judged until it starts again");
        setTimeout(restart, RESTART_MS).unref();
      });
    });
  }

  function restart(): void {
    if (closing) return;
    spawn().then(
      (thread) => {
        if (closing) void thread.terminate();
        else log.info("the exit book's thread started again");
      },
      (err: unknown) => {
        log.error({ err, alert: 'exit_book_thread_failed' }, "the exit book's thread could not start again; retrying");
        setTimeout(restart, RESTART_MS).unref();
      },
    );
  }

  await spawn();
  return {
    async close() {
      closing = true;
      const thread = current;
      current = undefined;
      if (!thread) return;
      const ended = new Promise<void>((resolve) => thread.once('exit', () => resolve()));
      thread.postMessage({ type: 'close' } satisfies ToBook);
      const timer = setTimeout(() => void thread.terminate(), CLOSE_TIMEOUT_MS);
      await ended;
      clearTimeout(timer);
    },
    async kill() {
      await current?.terminate();
    },
  };
}
