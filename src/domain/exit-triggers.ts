/**
 * When a position's stop-loss or target is hit.
 *
 * @module
 */
import type { Paise } from './money.ts';
import type { Side } from './trade.ts';

export type ExitTrigger = 'STOP_LOSS' | 'TARGET';

/** The exit that `pricePaise` triggers for a position opened on `side`, if any (stop-loss first). */
export function exitTrigger(side: Side, pricePaise: Paise, stopLossPaise?: Paise, targetPaise?: Paise): ExitTrigger | undefined {
  const long = side === 'BUY';
  if (stopLossPaise !== undefined && (long ? pricePaise <= stopLossPaise : pricePaise >= stopLossPaise)) return 'STOP_LOSS';
  if (targetPaise !== undefined && (long ? pricePaise >= targetPaise : pricePaise <= targetPaise)) return 'TARGET';
  return undefined;
}
