/**
 * Watches one open position's price for its stop-loss or target: a trailing stop's watch (it
 * moves the stop as the price runs), and every watch of trades started before the exit book
 * (exit-book.ts watches all other held positions, from one book per worker). One call watches
 * for a bounded window, heartbeating, and returns; the workflow loops, so a long hold never makes
 * one endless activity and the history grows by a few events a window.
 *
 * Prices come from the worker's one price feed (broker/price-feed.ts), decided on as each tick
 * arrives. Only while the feed is stale (or has not spoken within one staleness window of the
 * watch starting) does the watcher ask the broker's REST API, through the worker's rationed
 * quotes (quote-ration.ts, arithmetic in domain/quote-budget.ts), so the broker's call rate does
 * not grow with the number of positions.
 *
 * @module
 */
import { type ExitTrigger, exitTrigger } from '../domain/exit-triggers.ts';
import type { Paise } from '../domain/money.ts';
import { type Instrument, instrumentKey, type Side } from '../domain/trade.ts';
import { betterExtreme, type TrailingStop, trailedStop } from '../domain/trailing-stop.ts';
import { type ActivityDeps, cancelled, heartbeat } from './context.ts';
import { workerPriceRecorder } from './price-recorder.ts';
import { workerQuoteRation } from './quote-ration.ts';

export interface WatchInput {
  instrument: Instrument;
  side: Side;
  stopLossPaise?: Paise | undefined;
  targetPaise?: Paise | undefined;
  windowMs: number;
  /** A trailing stop-loss (`stopLossPaise` is where it stands now): the watch reports when it should move. */
  trail?: TrailInput | undefined;
}

export interface TrailInput {
  stop: TrailingStop;
  /** The best price seen since entry (the high of a long, the low of a short). */
  extremePaise: Paise;
  tickPaise: Paise;
  /** A move is reported no sooner than this after the watch starts: the broker order moves at most this often. */
  holdMs: number;
}

export interface WatchResult {
  trigger?: ExitTrigger | undefined;
  /** With a trigger: when the tick that crossed it reached this worker (ISO), where `tick_to_exit_order_seconds` starts. */
  triggeredAt?: string | undefined;
  lastPricePaise?: Paise | undefined;
  /** With a trail: the best price seen, and the stop-loss it moves to when that is at least a tick tighter. */
  extremePaise?: Paise | undefined;
  ratchet?: { stopLossPaise: Paise } | undefined;
}

/** How often a watcher looks at the feed's staleness and heartbeats between ticks. */
const CHECK_MS = 1_000;

export function exitTriggerActivities(deps: ActivityDeps) {
  const ration = workerQuoteRation(deps);
  const record = workerPriceRecorder(deps);
  const staleMs = deps.config.market.PRICE_STALE_S * 1000;

  return {
    async watchExitTriggers(input: WatchInput): Promise<WatchResult> {
      const started = Date.now();
      const until = started + input.windowMs;
      const key = instrumentKey(input.instrument);
      let last: Paise | undefined;
      /** When `last` reached this worker (ISO): the feed's `at` is the exchange's or broker's clock. */
      let lastArrived: string | undefined;
      let found: ExitTrigger | undefined;
      let triggeredAt: string | undefined;
      let wake: (() => void) | undefined;
      const { trail } = input;
      let extreme = trail?.extremePaise;
      let ratchet: Paise | undefined;
      /** The trail's stop once the hold is over, when it moved; a price already through it is the stop's trigger. */
      const trailDue = () => {
        if (!trail || extreme === undefined || found || ratchet !== undefined || Date.now() - started < trail.holdMs) return;
        const next = trailedStop(input.side, input.stopLossPaise, trail.stop, extreme, trail.tickPaise);
        if (next === input.stopLossPaise) return;
        ratchet = next;
        if (last !== undefined && exitTrigger(input.side, last, next) === 'STOP_LOSS') {
          found = 'STOP_LOSS';
          triggeredAt = lastArrived;
        }
        wake?.();
      };
      const decide = (pricePaise: Paise, at: string) => {
        last = pricePaise;
        lastArrived = new Date().toISOString();
        record(key, pricePaise, at);
        if (extreme !== undefined) extreme = betterExtreme(input.side, extreme, pricePaise);
        if (!found) {
          found = exitTrigger(input.side, pricePaise, input.stopLossPaise, input.targetPaise);
          if (found) triggeredAt = lastArrived;
        }
        if (found) wake?.();
        trailDue();
      };
      const answer = (result: WatchResult): WatchResult => (trail ? { ...result, extremePaise: extreme } : result);
      const unwatch = deps.prices.watch(input.instrument, (tick) => {
        const before = found;
        decide(tick.lastPricePaise, tick.at);
        // a streamed tick (not the price the watch started from, nor a REST quote) that decided
        if (found && !before) deps.brokerMetrics?.latency?.tickToDecision(found, (Date.now() - Date.parse(tick.at)) / 1000);
      });
      try {
        const seen = deps.prices.latest(input.instrument);
        if (seen && !seen.stale) decide(seen.lastPricePaise, seen.at);
        for (;;) {
          trailDue();
          if (found) return answer({ trigger: found, triggeredAt, lastPricePaise: last });
          if (ratchet !== undefined) return answer({ ratchet: { stopLossPaise: ratchet }, lastPricePaise: last });
          const latest = deps.prices.latest(input.instrument);
          // a new subscription gets one staleness window to deliver its first tick
          const waiting = !latest && Date.now() - started <= staleMs;
          if ((!latest || latest.stale) && !waiting) {
            try {
              const quote = await ration.get(input.instrument);
              if (quote) decide(quote.lastPricePaise, quote.at);
            } catch (err) {
              deps.log.warn({ err, instrument: key }, 'quote failed while watching exit triggers (stale price feed)');
            }
            if (found || ratchet !== undefined) continue;
          }
          if (Date.now() >= until) return answer({ lastPricePaise: last });
          heartbeat(last);
          await Promise.race([
            new Promise<void>((resolve) => {
              wake = resolve;
              setTimeout(resolve, CHECK_MS);
            }),
            cancelled(),
          ]);
          wake = undefined;
        }
      } finally {
        unwatch();
      }
    },
  };
}
