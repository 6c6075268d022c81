/**
 * The broker this deployment trades through (BROKER): the paper exchange by default, or Breeze
 * Connect (ICICI Direct).
 *
 * @module
 */
import type { Config } from '../config.ts';
import type { Sql } from '../db/pool.ts';
import { BreezeClient } from './breeze/client.ts';
import { createBreezeClient, createBreezeStreams } from './breeze/create.ts';
import type { Logger } from '../config/logger.ts';
import type { OrderNotices } from './order-notices.ts';
import { createPaperFeed } from './paper/feed.ts';
import { listenPaperOrderChanges, type PaperOrderChanges } from './paper/order-changes.ts';
import type { PriceFeed } from './price-feed.ts';
import { PaperExchange } from './paper/exchange.ts';
import type { RateBudget } from './rate-limit/store.ts';
import type { Broker } from './types.ts';
import { type Instrument, instrumentKey } from '../domain/trade.ts';
import { paperQuotesOf } from '../db/paper-quotes.ts';

export function createBroker(config: Pick<Config, 'broker' | 'redis' | 'paper' | 'market'>, sql: Sql): Broker {
  switch (config.broker.BROKER) {
    case 'paper':
      return new PaperExchange({
        sql,
        marketHours: config.market.MARKET_HOURS,
        slippageBps: config.paper.PAPER_SLIPPAGE_BPS,
        randomWalk: config.paper.PAPER_RANDOM_WALK,
        seed: config.paper.PAPER_SEED,
      });
    case 'breeze':
      return createBreezeClient({ config, sql });
  }
}

/** What is left of the broker's shared call budget: Breeze counts its calls, the paper exchange has none. */
export function rateBudgetOf(broker: object): (() => Promise<RateBudget | undefined>) | undefined {
  return broker instanceof BreezeClient ? () => broker.remainingBudget() : undefined;
}

/** A worker's streams from its broker: prices, and order notifications where the broker sends them. */
export interface BrokerStreams {
  prices: PriceFeed;
  orderNotices?: OrderNotices | undefined;
  /** The paper exchange's order changes (./paper/order-changes.ts); close them at shutdown too. */
  paperOrderChanges?: PaperOrderChanges | undefined;
}

/**
 * The worker's one price feed (and order notices) for `broker`: Breeze's Socket.IO streams, or the
 * paper exchange's prices and order changes over LISTEN/NOTIFY. Close `prices` (and
 * `paperOrderChanges`) at shutdown.
 */
export async function createBrokerStreams(config: Pick<Config, 'broker' | 'redis' | 'market'>, sql: Sql, broker: Broker, log?: Logger): Promise<BrokerStreams> {
  if (broker.name === 'breeze') {
    const streams = createBreezeStreams({ config, sql, log });
    return { prices: streams.prices, orderNotices: streams.orders };
  }
  // the paper exchange itself, whose orders and quotes are in these tables (not a test's stand-in or wrapper)
  const paper = broker instanceof PaperExchange ? broker : undefined;
  const unmovedQuotes = paper && ((instruments: Instrument[]) => paper.unmovedQuotes(instruments));
  const prices = await createPaperFeed({ sql, quote: (i) => broker.quote(i), unmovedQuotes, staleMs: config.market.PRICE_STALE_S * 1000, log });
  return { prices, paperOrderChanges: paper && (await listenPaperOrderChanges(sql)) };
}

/**
 * A second reader of the broker's prices, for a thread of the worker's own (the exit book's,
 * src/worker/exit-book-thread.ts), beside the worker's feed: Breeze's quote stream without its
 * order feed, or the paper exchange's prices as they are announced and, once a second, as they
 * stand. The paper reads move nothing: the worker's own feed watches the same instruments and
 * moves the walk and expires DAY orders, on the worker's clock, as it did alone.
 */
export function createPriceReader(config: Pick<Config, 'broker' | 'redis' | 'market'>, sql: Sql, log?: Logger): Promise<PriceFeed> {
  if (config.broker.BROKER === 'breeze') return Promise.resolve(createBreezeStreams({ config, sql, log, orderFeed: false }).prices);
  const asTheyStand = async (instruments: Instrument[]) => {
    const rows = await paperQuotesOf(sql, instruments.map(instrumentKey));
    // the paper exchange is the market: its price is current whenever it is read (./paper/feed.ts)
    const at = new Date().toISOString();
    return new Map([...rows].map(([key, row]) => [key, { lastPricePaise: row.last_price_paise, at }]));
  };
  const quote = async (instrument: Instrument) => {
    const q = (await asTheyStand([instrument])).get(instrumentKey(instrument));
    if (!q) throw new Error('not quoted yet: the worker\'s feed quotes it first');
    return q;
  };
  return createPaperFeed({ sql, quote, unmovedQuotes: asTheyStand, staleMs: config.market.PRICE_STALE_S * 1000, log });
}
