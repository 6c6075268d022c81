/**
 * PATCH /trades/{id}: a new stop-loss, target or trailing distance for an open trade. The new levels are checked
 * against the trade's side and the last price seen (a stop that the price has already passed
 * would fill at once: refused with 422, nothing changes), then the trade workflow moves the
 * resting orders at the broker and records the change with its old and new values.
 *
 * @module
 */
import type { Client } from '@temporalio/client';
import type { Actor } from '../../audit/events.ts';
import { lastPrices } from '../../db/market-prices.ts';
import type { Sql } from '../../db/pool.ts';
import type { TradeRow } from '../../db/trades.ts';
import { BusinessRuleError, ConflictError } from '../../domain/errors.ts';
import type { Paise } from '../../domain/money.ts';
import { instrumentKey, type TrailingStop } from '../../domain/trade.ts';
import { changeTradeProtection } from '../../temporal/trades.ts';

export interface NewLevels {
  stopLossPaise?: Paise | undefined;
  targetPaise?: Paise | undefined;
}

/** The change PATCH asks for: new levels, and a new trailing distance (null clears it). */
export interface NewProtection extends NewLevels {
  trailingStop?: TrailingStop | null | undefined;
}

/** The rule each new level breaks, if any: a long's stop below the price and its target above (a short's the mirror). */
export function levelProblems(side: 'BUY' | 'SELL', lastPricePaise: Paise | undefined, levels: NewLevels, current: NewLevels): { field: string; detail: string }[] {
  const long = side === 'BUY';
  const problems: { field: string; detail: string }[] = [];
  const { stopLossPaise: stop, targetPaise: target } = { ...current, ...Object.fromEntries(Object.entries(levels).filter(([, v]) => v !== undefined)) } as NewLevels;
  if (lastPricePaise !== undefined) {
    if (levels.stopLossPaise !== undefined && (long ? levels.stopLossPaise >= lastPricePaise : levels.stopLossPaise <= lastPricePaise)) {
      problems.push({ field: 'stopLoss', detail: `must be ${long ? 'below' : 'above'} the last price (${lastPricePaise / 100}) for a ${side}` });
    }
    if (levels.targetPaise !== undefined && (long ? levels.targetPaise <= lastPricePaise : levels.targetPaise >= lastPricePaise)) {
      problems.push({ field: 'target', detail: `must be ${long ? 'above' : 'below'} the last price (${lastPricePaise / 100}) for a ${side}` });
    }
  }
  if (stop !== undefined && target !== undefined && (long ? stop >= target : stop <= target)) problems.push({ field: 'target', detail: 'must be on the other side of the stop-loss' });
  return problems;
}

export async function changeProtection(deps: { sql: Sql; temporal: Client }, trade: TradeRow, change: NewProtection, requestedBy: Actor, requestId?: string): Promise<void> {
  if (trade.status !== 'OPEN') throw new ConflictError('trade-state-conflict', `Only an open trade can change its stop-loss or target (status ${trade.status})`);
  const last = (await lastPrices(deps.sql, [instrumentKey(trade.instrument)])).get(instrumentKey(trade.instrument));
  if (!last) throw new BusinessRuleError('price-unavailable', `No price of ${trade.instrument.symbol} has been seen yet to check the new levels against`);
  const { trailingStop, ...levels } = change;
  const problems = levelProblems(trade.side, last.pricePaise, levels, { stopLossPaise: trade.stopLossPaise ?? undefined, targetPaise: trade.targetPaise ?? undefined });
  if (problems.length) throw new BusinessRuleError('protection-wrong-side', problems.map((p) => `${p.field} ${p.detail}`).join('; '), { problems });
  // a new trail starts from the price the change was checked against
  const trail = trailingStop === undefined ? {} : { trailingStop, referencePricePaise: last.pricePaise };
  await changeTradeProtection(deps.temporal, trade.id, { ...levels, ...trail, requestedBy, requestId });
}
