/**
 * When a paper order trades, and at what price. MARKET orders fill at once at the last price moved
 * against the trader by the configured slippage, but never past the protective limit they may carry
 * (the price their margin was reserved at: src/activities/orders.ts), and wait while the price is past it; LIMIT orders fill when the last price reaches the
 * limit, at the last price (never worse than the limit); STOP orders (stop-loss market, SL-M) rest
 * until the last price touches their trigger (a BUY at or above it, a SELL at or below) and then
 * fill like a market order. STOP_LIMIT orders (Breeze's `stoploss`) wake at the same touch and then
 * work as a LIMIT order: a price that gaps through the limit leaves them open.
 *
 * @module
 */
import type { Paise } from '../../domain/money.ts';
import type { PaperOrderType } from '../../db/paper-orders.ts';
import type { Side } from '../../domain/trade.ts';
import { roundToTick } from './prices.ts';

/** True when the last price touches a stop's trigger (a BUY at or above it, a SELL at or below). */
export function touched(side: Side, triggerPaise: Paise, lastPricePaise: Paise): boolean {
  return side === 'BUY' ? lastPricePaise >= triggerPaise : lastPricePaise <= triggerPaise;
}

/** `levelPaise`: the limit of a LIMIT (or triggered STOP_LIMIT) order, the protection of a MARKET order, the trigger of a STOP order. */
export function fillPrice(side: Side, orderType: PaperOrderType, levelPaise: Paise | undefined, lastPricePaise: Paise, slippageBps: number): Paise | undefined {
  if (orderType === 'STOP') {
    if (levelPaise === undefined) return undefined;
    return touched(side, levelPaise, lastPricePaise) ? fillPrice(side, 'MARKET', undefined, lastPricePaise, slippageBps) : undefined;
  }
  if (orderType === 'MARKET') {
    const slip = (lastPricePaise * slippageBps) / 10_000;
    const price = roundToTick(side === 'BUY' ? lastPricePaise + slip : lastPricePaise - slip);
    if (levelPaise === undefined) return price;
    // protected: as Breeze's protective limit, never past the limit; a price already past it waits
    if (side === 'BUY') return lastPricePaise <= levelPaise ? Math.min(price, levelPaise) : undefined;
    return lastPricePaise >= levelPaise ? Math.max(price, levelPaise) : undefined;
  }
  if (levelPaise === undefined) return undefined;
  if (side === 'BUY') return lastPricePaise <= levelPaise ? lastPricePaise : undefined;
  return lastPricePaise >= levelPaise ? lastPricePaise : undefined;
}
