/**
 * The REST quotes a worker asks for when its price stream is stale, rationed: one quote an
 * instrument serves every position on it (a shared cache), and the worker spends at most its
 * allowance a minute (domain/quote-budget.ts states the arithmetic), so the number of positions
 * never changes the call rate. One per worker (`workerQuoteRation`), shared by the price watchers
 * and the daily-loss guard.
 *
 * @module
 */
import type { Quote } from '../broker/types.ts';
import { fallbackQuotesPerMinute } from '../domain/quote-budget.ts';
import { type Instrument, instrumentKey } from '../domain/trade.ts';
import { type ActivityDeps, callBudget } from './context.ts';

export interface QuoteRationOptions {
  quote: (instrument: Instrument) => Promise<Quote>;
  perMinute: number;
  now?: () => number;
}

export interface QuoteRation {
  /** A REST quote of at most one interval ago, or a fresh one if the allowance has room; otherwise undefined (ask again later). */
  get(instrument: Instrument): Promise<Quote | undefined>;
}

export function createQuoteRation(options: QuoteRationOptions): QuoteRation {
  const now = options.now ?? Date.now;
  // one call every `intervalMs`, smoothed: a token bucket of one
  const intervalMs = 60_000 / options.perMinute;
  const cache = new Map<string, { quote: Quote; fetchedAt: number }>();
  const inflight = new Map<string, Promise<Quote | undefined>>();
  let nextSlot = 0;

  async function fetch(key: string, instrument: Instrument): Promise<Quote | undefined> {
    const quote = await options.quote(instrument);
    cache.set(key, { quote, fetchedAt: now() });
    return quote;
  }

  return {
    get(instrument) {
      const key = instrumentKey(instrument);
      const cached = cache.get(key);
      const t = now();
      if (cached && t - cached.fetchedAt < intervalMs) return Promise.resolve(cached.quote);
      const running = inflight.get(key);
      if (running) return running;
      if (t < nextSlot) return Promise.resolve(undefined);
      nextSlot = t + intervalMs;
      const call = fetch(key, instrument).finally(() => inflight.delete(key));
      inflight.set(key, call);
      return call;
    },
  };
}

const rations = new WeakMap<ActivityDeps, QuoteRation>();

/** The worker's one ration of REST quotes (one per set of activity deps). */
export function workerQuoteRation(deps: ActivityDeps): QuoteRation {
  let ration = rations.get(deps);
  if (!ration) {
    ration = createQuoteRation({
      quote: (instrument) => deps.broker.quote(instrument),
      perMinute: fallbackQuotesPerMinute(callBudget(deps)),
    });
    rations.set(deps, ration);
  }
  return ration;
}
