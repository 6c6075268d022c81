/**
 * The exit book's thread (started by ./exit-book-thread.ts): the book, the prices it judges and
 * the signals it sends, on an event loop of their own. Its own database pool (the book's LISTEN
 * and reads, the paper exchange's announced prices and orders), its own Temporal client (the
 * trades it tells), its own reader of the broker's prices; REST quotes of a stale feed and the
 * trader-latency histogram stay the main thread's (one call budget, one registry).
 *
 * @module
 */
import { parentPort, workerData } from 'node:worker_threads';
import { startExitBook } from '../activities/exit-book-follow.ts';
import type { QuoteRation } from '../activities/quote-ration.ts';
import { createPriceReader } from '../broker/create.ts';
import { listenPaperOrderChanges } from '../broker/paper/order-changes.ts';
import type { PriceFeed } from '../broker/price-feed.ts';
import type { Quote } from '../broker/types.ts';
import { createLogger } from '../config/logger.ts';
import { createSql, poolOptions } from '../db/pool.ts';
import { connectClient } from '../temporal/client.ts';
import { tradesPort } from '../temporal/trades.ts';
import type { ExitBookThreadData, FromBook, ToBook } from './exit-book-messages.ts';

/** The book's reads (exit watches, paper prices) and deletes of finished trades' watches; its LISTENs share one connection of their own. */
const POOL_MAX = 4;

const port = parentPort!;
const { config, logLevel, announceOrderChanges } = workerData as ExitBookThreadData;
const post = (message: FromBook) => port.postMessage(message);
const log = createLogger({ ...config.process, LOG_LEVEL: logLevel }, 'worker').child({ thread: 'exit-book' });

const asked = new Map<number, { resolve: (quote: Quote | undefined) => void; reject: (err: Error) => void }>();
let lastAsked = 0;
const ration: QuoteRation = {
  get: (instrument) =>
    new Promise((resolve, reject) => {
      const id = ++lastAsked;
      asked.set(id, { resolve, reject });
      post({ type: 'quote', id, instrument });
    }),
};

/** The main thread watches what the book watches on the worker's own feed. */
function toldToMain(feed: PriceFeed): PriceFeed {
  return {
    watch(instrument, onTick) {
      post({ type: 'watch', instrument });
      const unwatch = feed.watch(instrument, onTick);
      let done = false;
      return () => {
        if (done) return;
        done = true;
        unwatch();
        post({ type: 'unwatch', instrument });
      };
    },
    latest: (instrument) => feed.latest(instrument),
    close: () => feed.close(),
  };
}

const { DATABASE_URL } = config.database;
const { TEMPORAL_ADDRESS } = config.temporal;
// the worker checked both before it started this thread (../../worker.ts)
if (!DATABASE_URL || !TEMPORAL_ADDRESS) throw new Error('the exit book needs DATABASE_URL and TEMPORAL_ADDRESS');
const sql = createSql(DATABASE_URL, { ...poolOptions(config.database, 'worker-exit-book'), max: POOL_MAX });
const client = await connectClient({ address: TEMPORAL_ADDRESS, namespace: config.temporal.TEMPORAL_NAMESPACE, startupWaitS: config.temporal.TEMPORAL_STARTUP_WAIT_S }, log);
const prices = await createPriceReader(config, sql, log);
const orderChanges = announceOrderChanges ? await listenPaperOrderChanges(sql) : undefined;
const running = await startExitBook({
  sql,
  log,
  prices: toldToMain(prices),
  ration,
  orderChanges,
  trades: tradesPort(client, config),
  latency: { tickToDecision: (trigger, seconds) => post({ type: 'decided', trigger, seconds }) },
  staleMs: config.market.PRICE_STALE_S * 1000,
});

port.on('message', (message: ToBook) => {
  if (message.type === 'quote') {
    const waiting = asked.get(message.id);
    asked.delete(message.id);
    if (message.error !== undefined) waiting?.reject(new Error(message.error));
    else waiting?.resolve(message.quote);
    return;
  }
  void close();
});

async function close(): Promise<void> {
  await running.close();
  await orderChanges?.close();
  await prices.close();
  await client.connection.close();
  await sql.end({ timeout: 5 });
  process.exit(0); // ends this thread, not the process
}

post({ type: 'ready' });
