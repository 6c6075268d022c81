/**
 * The day's loss while positions are open: realized P&L of the IST day plus the unrealized P&L of
 * every open position at its last price, against the daily loss limit. The daily-loss guard reads
 * it on every price; the pre-trade check (./rules.ts) refuses entries on the same sum.
 *
 * A price that is not fresh never makes a position count as no loss: the position is valued at
 * the last price known (a stale tick is still the market's last word, and far likelier than the
 * entry price), and it is named in `unpriced` so the caller can fetch a quote and alert. A
 * position that has no price at all is not valued at its entry price either (that would be no
 * loss): it is named in `unknown`, and while any position is, the day's loss cannot be known: the
 * reading never crosses (nothing is flattened on a guess), the caller alerts, and the pre-trade
 * check refuses new entries (OPEN_LOSS_UNKNOWN, ./rules.ts) until the position can be valued.
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
  /** The loss reached the limit (never while a position's loss is unknown). */
  crossed: boolean;
  /** Positions without a fresh price: valued at a stale one, or (in `unknown`) not at all. */
  unpriced: string[];
  /**
   * Positions with no price at all: their loss is unknown, so the day's is too (`lossPaise` and
   * `unrealizedPaise` then cover only the priced positions).
   */
  unknown: string[];
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
 * // => { lossPaise: 80_000_00, crossed: true, unpriced: ['NSE:INFY:CASH'], unknown: [], ... }
 * // With no price at all, the loss is unknown, not zero, and does not cross:
 * // => { lossPaise: 0, crossed: false, unpriced: ['NSE:INFY:CASH'], unknown: ['NSE:INFY:CASH'], ... }
 */
export function readDailyLoss(realizedPaise: Paise, positions: readonly GuardedPosition[], limitPaise: Paise, now: Date, maxAgeMs: number): DailyLossReading {
  let unrealizedPaise = 0;
  const unpriced: string[] = [];
  const unknown: string[] = [];
  for (const p of positions) {
    if (!isFresh(p.price, now, maxAgeMs)) unpriced.push(p.instrumentKey);
    if (!p.price) {
      unknown.push(p.instrumentKey);
      continue;
    }
    unrealizedPaise += (p.side === 'BUY' ? 1 : -1) * p.quantity * (p.price.pricePaise - p.entryPricePaise);
  }
  const lossPaise = Math.max(0, -(realizedPaise + unrealizedPaise));
  const crossed = unknown.length === 0 && lossPaise > 0 && lossPaise >= limitPaise;
  return { lossPaise, realizedPaise, unrealizedPaise, limitPaise, crossed, unpriced, unknown };
}
