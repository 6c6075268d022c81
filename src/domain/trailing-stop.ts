/**
 * Trailing stops: a stop-loss that follows the price at a fixed distance (in paise, or a percent
 * of the price) as the position moves in its favour, and never moves back. For a long the stop
 * rises with the highest price seen since entry; for a short it falls with the lowest.
 *
 * @module
 */
import type { Paise } from './money.ts';
import type { Side, TrailingStop } from './trade.ts';

export type { TrailingStop };

/** The best price for a position opened on `side`: the higher for a long, the lower for a short. */
export function betterExtreme(side: Side, extremePaise: Paise, pricePaise: Paise): Paise {
  return side === 'BUY' ? Math.max(extremePaise, pricePaise) : Math.min(extremePaise, pricePaise);
}

/** The trail's distance in paise at `pricePaise` (a percent trail is wider at higher prices). */
export function trailDistancePaise(trail: TrailingStop, pricePaise: Paise): Paise {
  return 'paise' in trail ? trail.paise : (pricePaise * trail.percent) / 100;
}

/**
 * The stop the trail puts `trail` away from `extremePaise`, on the tick grid, rounded away from
 * the price (so the distance is never less than asked for), and at least one tick.
 */
export function trailingLevel(side: Side, trail: TrailingStop, extremePaise: Paise, tickPaise: Paise): Paise {
  const distance = trailDistancePaise(trail, extremePaise);
  const ticks = side === 'BUY' ? Math.floor((extremePaise - distance) / tickPaise) : Math.ceil((extremePaise + distance) / tickPaise);
  return Math.max(tickPaise, ticks * tickPaise);
}

/**
 * The stop after the price reached `extremePaise`: the trailing level when it is tighter than
 * `currentStopPaise` by at least one tick, else the current stop (a stop never loosens). With no
 * current stop, the trailing level.
 *
 * @example
 * trailedStop('BUY', 490_00, { paise: 10_00 }, 505_00, 5); // 495_00: the high rose to ₹505, the stop to ₹495
 * trailedStop('BUY', 495_00, { paise: 10_00 }, 502_00, 5); // 495_00: the price fell back, the stop stays
 * trailedStop('SELL', 510_00, { percent: 2 }, 490_00, 5); // 499_80: a short's stop falls with the low
 */
export function trailedStop(side: Side, currentStopPaise: Paise | undefined, trail: TrailingStop, extremePaise: Paise, tickPaise: Paise): Paise {
  const level = trailingLevel(side, trail, extremePaise, tickPaise);
  if (currentStopPaise === undefined) return level;
  const tighter = side === 'BUY' ? level - currentStopPaise : currentStopPaise - level;
  return tighter >= tickPaise ? level : currentStopPaise;
}
