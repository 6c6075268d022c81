/**
 * The pre-trade risk rules, as pure functions of the order, the account's book and the limits.
 * `checkRisk` reads like the rule book: every rule that an order breaks becomes a violation with
 * the limit, the actual value and a message for the trader. Nothing here does I/O.
 *
 * @module
 */
import { formatRupees, fractionOf, notional, type Paise } from '../money.ts';
import type { Side } from '../trade.ts';
import type { RiskLimits } from './limits.ts';

export const RULES = [
  'MARKET_CLOSED',
  'TRADING_HALTED',
  'MAX_POSITION_QUANTITY',
  'MAX_OPEN_POSITIONS',
  'DAILY_LOSS_LIMIT',
  'MAX_CONCENTRATION',
  'MAX_TRADE_VALUE',
  'PRICE_BAND',
  'ORDER_RATE',
  'PRICE_UNAVAILABLE',
  'OPEN_LOSS_UNKNOWN',
  'INTRADAY_CUTOFF',
  'RECONCILIATION_LOCK',
  'MARKET_CALENDAR_MISSING',
  'STRATEGY_HALTED',
  'STRATEGY_UNKNOWN',
  'INSUFFICIENT_FUNDS',
] as const;
export type RuleName = (typeof RULES)[number] | (string & {});

export interface Violation {
  rule: RuleName;
  limit: number | string;
  actual: number | string;
  message: string;
}

export type TradingState = 'ACTIVE' | 'REDUCING' | 'HALTED';

/** A last traded price and when it was seen. */
export interface PricePoint {
  pricePaise: Paise;
  at: Date;
}

/** An open position (one open trade) as the risk engine sees it. */
export interface OpenPosition {
  instrumentKey: string;
  side: Side;
  quantity: number;
  entryPricePaise: Paise;
  lastPrice?: PricePoint | undefined;
}

/** Exposure held for an order not yet filled. */
export interface ReservedExposure {
  instrumentKey: string;
  quantity: number;
  notionalPaise: Paise;
}

export interface Book {
  tradingState: TradingState;
  capitalPaise: Paise;
  positions: OpenPosition[];
  reservations: ReservedExposure[];
  /** Realized P&L of the IST trading day (negative is a loss). */
  realizedTodayPaise: Paise;
  /** Entry orders the account sent in the last second. */
  ordersLastSecond: number;
  /** Instruments with an unresolved reconciliation mismatch: no new entries there (exits stay allowed). */
  lockedInstruments?: readonly string[] | undefined;
}

export interface EntryOrder {
  instrumentKey: string;
  side: Side;
  quantity: number;
  orderType: 'MARKET' | 'LIMIT';
  limitPricePaise?: Paise | undefined;
  /** MARKET: the price it is valued and reserved at, its protective limit (the worst it may fill at); else the last price. */
  reservePricePaise?: Paise | undefined;
  /** Last traded price of the instrument. */
  lastPrice?: PricePoint | undefined;
  intraday: boolean;
}

export interface MarketContext {
  open: boolean;
  closedReason?: string | undefined;
  /** The intraday entry cut-off (square-off time) has passed. */
  pastIntradayCutoff: boolean;
  now: Date;
  /** Prices older than this fail the check closed. */
  maxQuoteAgeMs: number;
}

const fresh = (p: PricePoint | undefined, market: MarketContext): p is PricePoint =>
  p !== undefined && market.now.getTime() - p.at.getTime() <= market.maxQuoteAgeMs;

/** Unrealized P&L of the open positions; `undefined` when a needed price is missing or stale. */
export function unrealizedPnl(positions: OpenPosition[], market: MarketContext): Paise | undefined {
  let total = 0;
  for (const p of positions) {
    if (!fresh(p.lastPrice, market)) return undefined;
    total += (p.side === 'BUY' ? 1 : -1) * p.quantity * (p.lastPrice.pricePaise - p.entryPricePaise);
  }
  return total;
}

/** Every rule the entry order breaks; empty when it may go to the broker. */
export function checkRisk(order: EntryOrder, book: Book, limits: RiskLimits, market: MarketContext): Violation[] {
  const violations: Violation[] = [];
  const add = (rule: RuleName, limit: number | string, actual: number | string, message: string) =>
    violations.push({ rule, limit, actual, message });

  if (!market.open) add('MARKET_CLOSED', 'open', 'closed', `The market is closed: ${market.closedReason ?? 'outside trading hours'}`);
  if (order.intraday && market.open && market.pastIntradayCutoff) {
    add('INTRADAY_CUTOFF', 'before square-off time', 'after', 'New intraday entries are not taken after the square-off time; exits still are');
  }
  if (book.tradingState !== 'ACTIVE') {
    add('TRADING_HALTED', 'ACTIVE', book.tradingState, book.tradingState === 'HALTED' ? 'Trading is halted' : 'Trading is reducing: exits only');
  }

  // Prices: the order's own, and every open position's (for the day's unrealized P&L). Missing or stale: fail closed.
  const ageLimit = `${Math.round(market.maxQuoteAgeMs / 1000)}s`;
  const orderPriceKnown = fresh(order.lastPrice, market);
  if (!orderPriceKnown) {
    add('PRICE_UNAVAILABLE', `last price newer than ${ageLimit}`, 'missing or stale', 'A current price needed for the risk check is missing or stale; the order is refused rather than guessed');
  }
  const unrealized = unrealizedPnl(book.positions, market);
  if (unrealized === undefined) {
    const unvalued = [...new Set(book.positions.filter((p) => !fresh(p.lastPrice, market)).map((p) => p.instrumentKey))].join(', ');
    add(
      'OPEN_LOSS_UNKNOWN',
      `a price newer than ${ageLimit} for every open position`,
      `missing or stale: ${unvalued}`,
      `Today's loss cannot be known: no current price for the open position in ${unvalued}. New entries are refused until it can be valued; exits are not affected`,
    );
  }

  const pricePaise = order.orderType === 'LIMIT' ? order.limitPricePaise : (order.reservePricePaise ?? order.lastPrice?.pricePaise);
  const orderValue = pricePaise === undefined ? undefined : notional(order.quantity, pricePaise);

  if (orderValue !== undefined && orderValue > limits.maxTradeValuePaise) {
    add('MAX_TRADE_VALUE', limits.maxTradeValuePaise, orderValue, `Order value ${formatRupees(orderValue)} exceeds the limit of ${formatRupees(limits.maxTradeValuePaise)}`);
  }

  if (order.orderType === 'LIMIT' && order.limitPricePaise !== undefined && orderPriceKnown && order.lastPrice) {
    const ltp = order.lastPrice.pricePaise;
    const distanceBp = Math.round((Math.abs(order.limitPricePaise - ltp) * 10_000) / ltp);
    if (distanceBp > limits.priceBandBp) {
      add('PRICE_BAND', limits.priceBandBp, distanceBp, `Limit price is ${(distanceBp / 100).toFixed(2)}% from the last price ${formatRupees(ltp)}; the band is ${(limits.priceBandBp / 100).toFixed(2)}%`);
    }
  }

  const sameInstrument = (k: string) => k === order.instrumentKey;
  const heldQuantity =
    book.positions.filter((p) => sameInstrument(p.instrumentKey)).reduce((s, p) => s + p.quantity, 0) +
    book.reservations.filter((r) => sameInstrument(r.instrumentKey)).reduce((s, r) => s + r.quantity, 0);
  const positionQuantity = heldQuantity + order.quantity;
  if (positionQuantity > limits.maxPositionQuantity) {
    add('MAX_POSITION_QUANTITY', limits.maxPositionQuantity, positionQuantity, `Position would hold ${positionQuantity} units; the limit is ${limits.maxPositionQuantity}`);
  }

  const instruments = new Set([...book.positions.map((p) => p.instrumentKey), ...book.reservations.map((r) => r.instrumentKey)]);
  if (!instruments.has(order.instrumentKey)) {
    const count = instruments.size + 1;
    if (count > limits.maxOpenPositions) {
      add('MAX_OPEN_POSITIONS', limits.maxOpenPositions, count, `This would be position ${count}; at most ${limits.maxOpenPositions} may be open or pending`);
    }
  }

  if (unrealized !== undefined) {
    const loss = -(book.realizedTodayPaise + unrealized);
    if (loss >= limits.dailyLossLimitPaise) {
      add('DAILY_LOSS_LIMIT', limits.dailyLossLimitPaise, loss, `Today's loss ${formatRupees(loss)} has reached the limit of ${formatRupees(limits.dailyLossLimitPaise)}`);
    }
  }

  if (orderValue !== undefined) {
    const heldValue =
      book.positions.filter((p) => sameInstrument(p.instrumentKey)).reduce((s, p) => s + notional(p.quantity, p.lastPrice?.pricePaise ?? p.entryPricePaise), 0) +
      book.reservations.filter((r) => sameInstrument(r.instrumentKey)).reduce((s, r) => s + r.notionalPaise, 0);
    const positionValue = heldValue + orderValue;
    const allowed = fractionOf(book.capitalPaise, limits.maxConcentrationBp);
    if (positionValue > allowed) {
      add('MAX_CONCENTRATION', allowed, positionValue, `Position value ${formatRupees(positionValue)} would exceed ${(limits.maxConcentrationBp / 100).toFixed(2)}% of capital (${formatRupees(allowed)})`);
    }
  }

  if (book.ordersLastSecond >= limits.maxOrdersPerSecond) {
    add('ORDER_RATE', limits.maxOrdersPerSecond, book.ordersLastSecond + 1, `More than ${limits.maxOrdersPerSecond} orders in one second`);
  }

  // Reconciliation: while the broker's book and ours disagree on this instrument, adding to it would
  // build on a position nobody can vouch for. Only entries pass through here; exits stay allowed.
  if (book.lockedInstruments?.includes(order.instrumentKey)) {
    add('RECONCILIATION_LOCK', 'no unresolved reconciliation mismatch', 'unresolved mismatch', 'The broker\'s book and ours disagree on this instrument; new entries wait until an operator resolves the mismatch');
  }
  return violations;
}
