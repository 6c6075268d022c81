/**
 * The paper exchange's operator desk: what the API may do to the simulated market (POST
 * /paper/quotes, GET /paper/orders) without holding a broker. It works on the exchange's tables
 * with the exchange's own order-book rules, so a price set here fills resting orders exactly as
 * the exchange would; it never places, cancels or reads orders as a broker does.
 *
 * @module
 */
import { type ReceivedOrder, receivedOrders } from '../../db/paper-orders.ts';
import type { Sql } from '../../db/pool.ts';
import type { MarketHoursMode } from '../../domain/market-calendar.ts';
import type { Paise } from '../../domain/money.ts';
import type { Instrument } from '../../domain/trade.ts';
import type { Quote } from '../types.ts';
import { pinQuote } from './order-book.ts';

export interface PaperDesk {
  /** Set and pin the simulated last price; resting orders that now cross are filled. */
  setQuote(instrument: Instrument, pricePaise: Paise): Promise<Quote>;
  /** Every order the exchange received, newest first. */
  receivedOrders(filter: { accountId: string; tag?: string | undefined; limit: number }): Promise<ReceivedOrder[]>;
}

export interface PaperDeskOptions {
  sql: Sql;
  /** The exchange's market hours and slippage (MARKET_HOURS, PAPER_SLIPPAGE_BPS): the same as the worker's. */
  marketHours: MarketHoursMode;
  slippageBps: number;
  now?: () => Date;
}

/**
 * @example
 * const desk = paperDesk({ sql, marketHours: config.MARKET_HOURS, slippageBps: config.PAPER_SLIPPAGE_BPS });
 * await desk.setQuote({ symbol: 'ITC', exchange: 'NSE', product: 'CASH' }, 450_00);
 */
export function paperDesk(options: PaperDeskOptions): PaperDesk {
  const rules = { marketHours: options.marketHours, slippageBps: options.slippageBps, now: options.now ?? (() => new Date()) };
  return {
    setQuote: (instrument, pricePaise) => pinQuote(options.sql, rules, instrument, pricePaise),
    receivedOrders: (filter) => receivedOrders(options.sql, filter),
  };
}
