/**
 * The paper exchange's prices through the same {@link PriceFeed} as Breeze's stream. A price an
 * operator sets (POST /paper/quotes) is written by the API process; it reaches the worker by
 * PostgreSQL LISTEN/NOTIFY, sent in the transaction that wrote it (db/paper-quotes.ts). Every
 * `refreshMs` the feed also reads each watched instrument from the exchange, which moves the
 * random walk (PAPER_RANDOM_WALK) and keeps a pinned, unchanging price from looking stale: the
 * paper exchange is the market, and its price is current whenever it is read. The instruments the
 * walk does not move (pinned ones) are read together in one statement; the rest one by one.
 *
 * @module
 */
import { listenPaperQuotes } from '../../db/paper-quotes.ts';
import type { Sql } from '../../db/pool.ts';
import type { Logger } from '../../config/logger.ts';
import { type Instrument, instrumentKey } from '../../domain/trade.ts';
import { PriceHub } from '../price-hub.ts';
import type { Quote } from '../types.ts';

export interface PaperFeedOptions {
  sql: Sql;
  /** The exchange's own quote (moves the walk, notifies a changed price). */
  quote: (instrument: Instrument) => Promise<Quote>;
  /** The quotes of those instruments the walk does not move now, in one read (keyed by instrumentKey); absent ones are quoted one by one. */
  unmovedQuotes?: (instruments: Instrument[]) => Promise<Map<string, Quote>>;
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
  let refreshing = false;
  const refreshAll = async () => {
    const instruments = hub.watched();
    let unmoved = new Map<string, Quote>();
    try {
      if (options.unmovedQuotes && instruments.length) unmoved = await options.unmovedQuotes(instruments);
    } catch (err) {
      options.log?.warn({ err, instruments: instruments.length }, 'paper quotes failed');
    }
    await Promise.all(
      instruments.map((instrument) => {
        const q = unmoved.get(instrumentKey(instrument));
        if (!q) return refresh(instrument);
        hub.publish({ instrument, lastPricePaise: q.lastPricePaise, at: q.at });
      }),
    );
  };
  // a round still running when the next is due (a slow database) is not joined by another
  const timer = setInterval(() => {
    if (refreshing) return;
    refreshing = true;
    void refreshAll().finally(() => (refreshing = false));
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
