/**
 * The prices of a position's protective orders. A stop rests at the broker as a stop-limit
 * (Breeze's `stoploss` orders are stop-limit only, docs/breeze-api.md#stop-loss-orders): its
 * limit sits a buffer past the trigger, so an ordinary move through the trigger fills it, and a
 * gap beyond the buffer leaves it open to be chased with a marketable limit.
 *
 * @module
 */
import type { Paise } from './money.ts';
import type { Side } from './trade.ts';

/** `pricePaise` moved `bufferBps` in the direction that makes an order on `side` easier to fill, on the tick grid. */
export function pastPrice(side: Side, pricePaise: Paise, bufferBps: number, tickPaise: Paise): Paise {
  const buffer = (pricePaise * bufferBps) / 10_000;
  // a sell is marketable at or below the price, a buy at or above: round away from the price
  const raw = side === 'SELL' ? Math.floor((pricePaise - buffer) / tickPaise) : Math.ceil((pricePaise + buffer) / tickPaise);
  return Math.max(tickPaise, raw * tickPaise);
}

/**
 * The limit of a stop-limit closing order on `side` with trigger `triggerPaise`.
 *
 * @example
 * stopLimitPrice('SELL', 440_00, 50, 5); // 437_80: a sell stop at ₹440 fills down to ₹437.80
 */
export function stopLimitPrice(side: Side, triggerPaise: Paise, bufferBps: number, tickPaise: Paise): Paise {
  return pastPrice(side, triggerPaise, bufferBps, tickPaise);
}

/** The marketable limit a gapped stop on `side` is chased with, off the last price. */
export function chasePrice(side: Side, lastPricePaise: Paise, bufferBps: number, tickPaise: Paise): Paise {
  return pastPrice(side, lastPricePaise, bufferBps, tickPaise);
}
