/**
 * The day's loss while positions are open: realized P&L of the IST day plus the unrealized P&L of
 * every open position at its last price, against the daily loss limit. The daily-loss guard reads
 * it on every price; the pre-trade check (./rules.ts) refuses entries on the same sum.
 *
 * A price that is not fresh never makes a position count as no loss: the position is valued at
 * the last price known (a stale tick is still the market's last word, and far likelier than the
 * entry price), and it is named in `unpriced` so the caller can fetch a quote and alert.
 *
 * @module
 */
import type { Paise } from '../money.ts';
import type { Side } from '../trade.ts';

/** A price as the feed or the price table knows it. */
export interface KnownPrice {
  pricePaise: Paise;
  at: Date;
  /** The feed said so itself (no tick within its staleness window). */
  stale?: boolean | undefined;
}

export interface GuardedPosition {
  instrumentKey: string;
  side: Side;
  /** Units still open. */
  quantity: number;
  entryPricePaise: Paise;
  /** The last price known, fresh or not; absent when none was ever seen. */
  price?: KnownPrice | undefined;
}

export interface DailyLossReading {
  /** Loss of the day in paise (0 when the day is in profit). */
  lossPaise: Paise;
  realizedPaise: Paise;
  unrealizedPaise: Paise;
  limitPaise: Paise;
  /** The loss reached the limit. */
  crossed: boolean;
  /** Positions valued without a fresh price (stale, or none at all: then at the entry fill). */
  unpriced: string[];
}

/** True when `price` is current enough to value a position by. */
export function isFresh(price: KnownPrice | undefined, now: Date, maxAgeMs: number): price is KnownPrice {
  return price !== undefined && !price.stale && now.getTime() - price.at.getTime() <= maxAgeMs;
}

/**
 * The day's loss of the account now.
 *
 * @example
 * // Bought 100 at ₹2,000; the last (stale) price is ₹1,200: the loss is ₹80,000, not zero.
 * readDailyLoss(0, [{ instrumentKey: 'NSE:INFY:CASH', side: 'BUY', quantity: 100, entryPricePaise: 2000_00,
 *   price: { pricePaise: 1200_00, at, stale: true } }], 50_000_00, now, 60_000)
 * // => { lossPaise: 80_000_00, crossed: true, unpriced: ['NSE:INFY:CASH'], ... }
 */
export function readDailyLoss(realizedPaise: Paise, positions: readonly GuardedPosition[], limitPaise: Paise, now: Date, maxAgeMs: number): DailyLossReading {
  let unrealizedPaise = 0;
  const unpriced: string[] = [];
  for (const p of positions) {
    if (!isFresh(p.price, now, maxAgeMs)) unpriced.push(p.instrumentKey);
    const markPaise = p.price?.pricePaise ?? p.entryPricePaise;
    unrealizedPaise += (p.side === 'BUY' ? 1 : -1) * p.quantity * (markPaise - p.entryPricePaise);
  }
  const lossPaise = Math.max(0, -(realizedPaise + unrealizedPaise));
  return { lossPaise, realizedPaise, unrealizedPaise, limitPaise, crossed: lossPaise > 0 && lossPaise >= limitPaise, unpriced };
}
