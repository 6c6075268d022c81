/**
 * The trade model: what a trader asks for, the states a trade moves through and the identifiers
 * derived from the request. Plain data, shared by the API, the workflows and the activities.
 *
 * @module
 */
import type { Paise } from './money.ts';

export const EXCHANGES = ['NSE', 'BSE', 'NFO', 'BFO'] as const;
export type Exchange = (typeof EXCHANGES)[number];

export const PRODUCTS = ['CASH', 'MARGIN', 'FUTURES', 'OPTIONS'] as const;
export type Product = (typeof PRODUCTS)[number];

export const SIDES = ['BUY', 'SELL'] as const;
export type Side = (typeof SIDES)[number];

export const ORDER_TYPES = ['MARKET', 'LIMIT'] as const;
export type OrderType = (typeof ORDER_TYPES)[number];

export const OPTION_RIGHTS = ['CALL', 'PUT'] as const;
export type OptionRight = (typeof OPTION_RIGHTS)[number];

export const TRADE_STATUSES = ['PENDING', 'REJECTED', 'OPEN', 'EXITING', 'CLOSED', 'FAILED', 'CANCELLED'] as const;
export type TradeStatus = (typeof TRADE_STATUSES)[number];

/** Statuses a trade never leaves. */
export const FINAL_STATUSES: readonly TradeStatus[] = ['REJECTED', 'CLOSED', 'FAILED', 'CANCELLED'];

/** What is traded: a cash symbol, or a derivative contract. */
export interface Instrument {
  symbol: string;
  exchange: Exchange;
  product: Product;
  /** F&O only: expiry date, YYYY-MM-DD. */
  expiry?: string | undefined;
  /** Options only. */
  strikePaise?: Paise | undefined;
  right?: OptionRight | undefined;
}

/** How far a trailing stop follows the best price: a fixed amount, or a percent of that price. */
export type TrailingStop = { paise: Paise } | { percent: number };

/** A trade request after validation, in paise. */
export interface TradeRequest {
  instrument: Instrument;
  side: Side;
  quantity: number;
  orderType: OrderType;
  /** LIMIT price; absent for MARKET. */
  limitPricePaise?: Paise | undefined;
  stopLossPaise?: Paise | undefined;
  targetPaise?: Paise | undefined;
  /** A stop-loss that trails the best price since entry (trailing-stop.ts); the initial stop is `stopLossPaise`, else derived from the entry fill. */
  trailingStop?: TrailingStop | undefined;
  /** Intraday positions are squared off at SQUARE_OFF_TIME. */
  intraday: boolean;
  /** Strategy or algo identifier stamped on the orders and the audit trail. */
  strategyId?: string | undefined;
  /** The registered strategy's name (src/domain/strategy.ts); absent: the account's default strategy. */
  strategy?: string;
}

export type ExitReason = 'REQUESTED' | 'STOP_LOSS' | 'TARGET' | 'SQUARE_OFF' | 'FLATTEN';

/** Stable key of an instrument, for positions and quotes. */
export function instrumentKey(i: Instrument): string {
  return [i.exchange, i.symbol, i.product, i.expiry ?? '', i.strikePaise ?? '', i.right ?? ''].join(':');
}

/** The side that closes a position opened with `side`. */
export function closingSide(side: Side): Side {
  return side === 'BUY' ? 'SELL' : 'BUY';
}

/** +1 for long, -1 for short. */
export function direction(side: Side): 1 | -1 {
  return side === 'BUY' ? 1 : -1;
}

/** What a trade still holds after the parts of its exit that filled. */
export function openQuantity(t: { filledQuantity: number; exitedQuantity: number }): number {
  return t.filledQuantity - t.exitedQuantity;
}

/** Gross P&L of the part of a position exited so far (`exitedValuePaise`: sum of quantity x price). */
export function exitedGrossPnl(side: Side, entryPaise: Paise, exitedQuantity: number, exitedValuePaise: Paise): Paise {
  return direction(side) * (exitedValuePaise - exitedQuantity * entryPaise);
}

/** Gross P&L of a round trip, before charges. */
export function grossPnl(side: Side, quantity: number, entryPaise: Paise, exitPaise: Paise): Paise {
  return direction(side) * quantity * (exitPaise - entryPaise);
}
