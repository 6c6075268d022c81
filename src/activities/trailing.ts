/**
 * What a trailing stop needs from outside the workflow: the instrument's tick, so that every stop
 * it moves to is a price the exchange accepts (TICK_SIZE, domain/risk/india-rules.ts).
 *
 * @module
 */
import { instrumentRules } from '../db/instrument-rules.ts';
import type { Paise } from '../domain/money.ts';
import type { Instrument } from '../domain/trade.ts';
import type { ActivityDeps } from './context.ts';

export function trailingActivities(deps: ActivityDeps) {
  return {
    /** The instrument's tick (its own rule, else DEFAULT_TICK_PAISE). */
    async instrumentTick(instrument: Instrument): Promise<Paise> {
      return (await instrumentRules(deps.sql, instrument.exchange, instrument.symbol, deps.config.market.DEFAULT_TICK_PAISE)).tickPaise;
    },
  };
}
