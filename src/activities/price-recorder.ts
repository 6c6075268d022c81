/**
 * The prices a worker's watchers see, recorded in market_prices for the risk engine. One recorder
 * per worker (`workerPriceRecorder`), shared by the per-position watchers and the worker's watch of
 * the exit book's instruments (src/worker/exit-book-thread.ts).
 *
 * @module
 */
import { recordPrices } from '../db/market-prices.ts';
import type { Paise } from '../domain/money.ts';
import type { ActivityDeps } from './context.ts';

/** market_prices is written at most this often by a worker, every instrument in one statement. */
const RECORD_EVERY_MS = 1_000;

export type PriceRecorder = (instrumentKey: string, pricePaise: Paise, at: string) => void;

/**
 * Record the price for the risk engine. The worker writes what arrived in one statement at most
 * once a second (at once when it has written nothing for a second), so every instrument's row
 * moves at most once a second and 500 instruments ticking cost one write a second, not 500. A
 * price is never dropped, only replaced by a newer one of its instrument: a stream that sends
 * only changes may not send it again.
 */
function createPriceRecorder(deps: Pick<ActivityDeps, 'sql' | 'log'>): PriceRecorder {
  /** The newest price of each instrument since the last write, all written together. */
  const pending = new Map<string, { pricePaise: Paise; at: string }>();
  let lastWrite = 0;
  let writeDue = false;

  async function writePending(): Promise<void> {
    writeDue = false;
    lastWrite = Date.now();
    const prices = [...pending].map(([instrumentKey, p]) => ({ instrumentKey, pricePaise: p.pricePaise, at: new Date(p.at) }));
    pending.clear();
    try {
      await recordPrices(deps.sql, prices);
    } catch (err) {
      deps.log.warn({ err, instruments: prices.length }, 'could not record prices');
    }
  }

  return (key, pricePaise, at) => {
    pending.set(key, { pricePaise, at });
    if (writeDue) return;
    writeDue = true;
    setTimeout(() => void writePending(), Math.max(0, lastWrite + RECORD_EVERY_MS - Date.now())).unref();
  };
}

const recorders = new WeakMap<ActivityDeps, PriceRecorder>();

/** The worker's one price recorder (one per set of activity deps). */
export function workerPriceRecorder(deps: ActivityDeps): PriceRecorder {
  let recorder = recorders.get(deps);
  if (!recorder) {
    recorder = createPriceRecorder(deps);
    recorders.set(deps, recorder);
  }
  return recorder;
}
