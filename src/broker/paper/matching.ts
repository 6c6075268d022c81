/**
 * When a paper order trades, and at what price. MARKET orders fill at once at the last price moved
 * against the trader by the configured slippage; LIMIT orders fill when the last price reaches the
 * limit, at the last price (never worse than the limit).
 *
 * @module
 */
import type { Paise } from '../../domain/money.ts';
import type { OrderType, Side } from '../../domain/trade.ts';
import { roundToTick } from './prices.ts';

export function fillPrice(side: Side, orderType: OrderType, limitPricePaise: Paise | undefined, lastPricePaise: Paise, slippageBps: number): Paise | undefined {
  if (orderType === 'MARKET') {
    const slip = (lastPricePaise * slippageBps) / 10_000;
    return roundToTick(side === 'BUY' ? lastPricePaise + slip : lastPricePaise - slip);
  }
  if (limitPricePaise === undefined) return undefined;
  if (side === 'BUY') return lastPricePaise <= limitPricePaise ? lastPricePaise : undefined;
  return lastPricePaise >= limitPricePaise ? lastPricePaise : undefined;
}
