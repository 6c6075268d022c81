/**
 * A TradingView alert, and what it asks of a strategy's position in one symbol
 * (docs/tradingview.md). The alert names the position the strategy should hold after it
 * (`market_position`): long or short with nothing held is an entry, flat is an exit, the opposite
 * side held is a reverse (exit, then enter), the same side held is nothing (TradingView fired an
 * alert for a position we already hold: a pyramid or a repeated fire).
 *
 * @module
 */
import type { Exchange, Side, TradeRequest } from './trade.ts';

export type MarketPosition = 'long' | 'short' | 'flat';

/** An alert after validation (TradingView sends every value as a string). */
export interface TradingViewAlert {
  exchange: Exchange;
  ticker: string;
  action: 'buy' | 'sell';
  contracts: number;
  marketPosition: MarketPosition;
  orderId: string;
  time: string;
}

export type AlertPlan =
  | { kind: 'entry'; side: Side }
  | { kind: 'exit' }
  | { kind: 'reverse'; side: Side }
  | { kind: 'ignored'; reason: 'already-held' | 'nothing-held' };

/** What the alert asks, given the side the strategy holds in the symbol (undefined: nothing). */
export function planAlert(held: Side | undefined, target: MarketPosition): AlertPlan {
  if (target === 'flat') return held ? { kind: 'exit' } : { kind: 'ignored', reason: 'nothing-held' };
  const side: Side = target === 'long' ? 'BUY' : 'SELL';
  if (!held) return { kind: 'entry', side };
  return held === side ? { kind: 'ignored', reason: 'already-held' } : { kind: 'reverse', side };
}

/**
 * TradingView's `{{exchange}}` for delayed data ends in `_DL` or `_DLY` (docs/tradingview.md):
 * the exchange is the same.
 */
export function exchangeOfAlert(exchange: string): string {
  return exchange.trim().toUpperCase().replace(/_(DL|DLY)$/, '');
}

/** The entry an alert makes: a market order of `contracts` for the strategy, intraday as POST /trades defaults. */
export function alertEntry(alert: TradingViewAlert, side: Side, strategy: string): TradeRequest {
  return {
    instrument: { symbol: alert.ticker, exchange: alert.exchange, product: 'CASH' },
    side,
    quantity: alert.contracts,
    orderType: 'MARKET',
    intraday: true,
    strategy,
  };
}

/** The idempotency key of the alert's entry: the same alert twice joins one trade. */
export function alertEntryKey(strategyId: string, alert: Pick<TradingViewAlert, 'orderId' | 'time'>): string {
  return `tradingview:${strategyId}:${alert.orderId}:${alert.time}`;
}
