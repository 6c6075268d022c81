/**
 * When a paper order trades, and at what price. MARKET orders fill at once at the last price moved
 * against the trader by the configured slippage; LIMIT orders fill when the last price reaches the
 * limit, at the last price (never worse than the limit); STOP orders (stop-loss market, SL-M) rest
 * until the last price touches their trigger (a BUY at or above it, a SELL at or below) and then
 * fill like a market order.
 *
 * @module
 */
import type { Paise } from '../../domain/money.ts';
import type { PaperOrderType } from '../../db/paper-orders.ts';
import type { Side } from '../../domain/trade.ts';
import { roundToTick } from './prices.ts';

/** `levelPaise`: the limit of a LIMIT order, the trigger of a STOP order. */
export function fillPrice(side: Side, orderType: PaperOrderType, levelPaise: Paise | undefined, lastPricePaise: Paise, slippageBps: number): Paise | undefined {
  if (orderType === 'STOP') {
    if (levelPaise === undefined) return undefined;
    const triggered = side === 'BUY' ? lastPricePaise >= levelPaise : lastPricePaise <= levelPaise;
    return triggered ? fillPrice(side, 'MARKET', undefined, lastPricePaise, slippageBps) : undefined;
  }
  if (orderType === 'MARKET') {
    const slip = (lastPricePaise * slippageBps) / 10_000;
    return roundToTick(side === 'BUY' ? lastPricePaise + slip : lastPricePaise - slip);
  }
  if (levelPaise === undefined) return undefined;
  if (side === 'BUY') return lastPricePaise <= levelPaise ? lastPricePaise : undefined;
  return lastPricePaise >= levelPaise ? lastPricePaise : undefined;
}
