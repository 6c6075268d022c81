/**
 * The paper exchange's prices through the same {@link PriceFeed} as Breeze's stream. A price an
 * operator sets (POST /paper/quotes) is written by the API process; it reaches the worker by
 * PostgreSQL LISTEN/NOTIFY, sent in the transaction that wrote it (db/paper-quotes.ts). Every
 * `refreshMs` the feed also reads each watched instrument from the exchange, which moves the
 * random walk (PAPER_RANDOM_WALK) and keeps a pinned, unchanging price from looking stale: the
 * paper exchange is the market, and its price is current whenever it is read.
 *
 * @module
 */
import { listenPaperQuotes } from '../../db/paper-quotes.ts';
import type { Sql } from '../../db/pool.ts';
import type { Logger } from '../../config/logger.ts';
import type { Instrument } from '../../domain/trade.ts';
import { PriceHub } from '../price-hub.ts';
import type { Quote } from '../types.ts';

export interface PaperFeedOptions {
  sql: Sql;
  /** The exchange's own quote (moves the walk, notifies a changed price). */
  quote: (instrument: Instrument) => Promise<Quote>;
  staleMs: number;
  /** How often watched instruments are read from the exchange. */
  refreshMs?: number;
  log?: Logger | undefined;
}

/** Resolves once the worker listens, so no price set after it is missed. */
export async function createPaperFeed(options: PaperFeedOptions): Promise<PriceHub> {
  const hub = new PriceHub({ staleMs: options.staleMs });
  const unlisten = await listenPaperQuotes(options.sql, (n) => hub.publish({ instrument: n.instrument, lastPricePaise: n.lastPricePaise, at: n.at }));
  const refresh = async (instrument: Instrument) => {
    try {
      const q = await options.quote(instrument);
      hub.publish({ instrument, lastPricePaise: q.lastPricePaise, at: q.at });
    } catch (err) {
      options.log?.warn({ err, instrument: instrument.symbol }, 'paper quote failed');
    }
  };
  const timer = setInterval(() => {
    for (const instrument of hub.watched()) void refresh(instrument);
  }, options.refreshMs ?? 1000);
  timer.unref();
  hub.attach({
    subscribe: (instrument) => void refresh(instrument),
    unsubscribe: () => {},
    async close() {
      clearInterval(timer);
      await unlisten();
    },
  });
  return hub;
}
