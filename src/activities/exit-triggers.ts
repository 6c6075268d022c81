/**
 * Watches an open position's price for its stop-loss or target. One call watches for a bounded
 * window, heartbeating, and returns; the workflow loops, so a long hold never makes one endless
 * activity and the history grows by a few events a window.
 *
 * @module
 */
import { recordPrice } from '../db/market-prices.ts';
import { type ExitTrigger, exitTrigger } from '../domain/exit-triggers.ts';
import type { Paise } from '../domain/money.ts';
import { type Instrument, instrumentKey, type Side } from '../domain/trade.ts';
import { type ActivityDeps, cancelled, heartbeat } from './context.ts';

export interface WatchInput {
  instrument: Instrument;
  side: Side;
  stopLossPaise?: Paise | undefined;
  targetPaise?: Paise | undefined;
  windowMs: number;
}

export interface WatchResult {
  trigger?: ExitTrigger | undefined;
  lastPricePaise?: Paise | undefined;
}

export function exitTriggerActivities(deps: ActivityDeps) {
  return {
    async watchExitTriggers(input: WatchInput): Promise<WatchResult> {
      const until = Date.now() + input.windowMs;
      const key = instrumentKey(input.instrument);
      let last: Paise | undefined;
      for (;;) {
        try {
          const quote = await deps.broker.quote(input.instrument);
          last = quote.lastPricePaise;
          await recordPrice(deps.sql, key, last, new Date(quote.at));
          const trigger = exitTrigger(input.side, last, input.stopLossPaise, input.targetPaise);
          if (trigger) return { trigger, lastPricePaise: last };
        } catch (err) {
          deps.log.warn({ err, instrument: key }, 'quote failed while watching exit triggers');
        }
        if (Date.now() >= until) return { lastPricePaise: last };
        heartbeat(last);
        await Promise.race([new Promise((r) => setTimeout(r, deps.config.market.PRICE_POLL_MS)), cancelled()]);
      }
    },
  };
}
