/**
 * A small in-memory price feed for tests: it asks `quote` for every watched instrument each
 * `intervalMs` (so prices set through POST /paper/quotes reach the watchers within that), fans the
 * ticks out, and answers `latest` with `stale: true` once an instrument went `staleMs` without a
 * tick. `push` and `silence` set prices by hand (activity tests). The worker's real feeds replace it.
 */
import type { LatestPrice, PriceFeed, PriceTick } from '../../src/broker/price-feed.ts';
import type { Quote } from '../../src/broker/types.ts';
import { type Instrument, instrumentKey } from '../../src/domain/trade.ts';

export interface TestPriceFeed extends PriceFeed {
  /** Deliver a tick as the broker would. */
  push(instrument: Instrument, pricePaise: number, at?: Date): void;
  /** Keep the last price but mark it stale (a feed gone quiet). */
  silence(instrument: Instrument): void;
}

export function testPriceFeed(options: { quote?: (instrument: Instrument) => Promise<Quote>; intervalMs?: number; staleMs?: number } = {}): TestPriceFeed {
  const staleMs = options.staleMs ?? 5000;
  const watchers = new Map<string, { instrument: Instrument; listeners: Set<(tick: PriceTick) => void> }>();
  const last = new Map<string, { tick: PriceTick; receivedAt: number; silenced: boolean }>();
  let closed = false;

  const push: TestPriceFeed['push'] = (instrument, pricePaise, at = new Date()) => {
    const key = instrumentKey(instrument);
    const tick = { instrument, lastPricePaise: pricePaise, at: at.toISOString() };
    last.set(key, { tick, receivedAt: Date.now(), silenced: false });
    for (const listener of watchers.get(key)?.listeners ?? []) listener(tick);
  };

  const timer = options.quote
    ? setInterval(() => {
        for (const { instrument } of watchers.values()) {
          options.quote!(instrument).then(
            (q) => !closed && push(instrument, q.lastPricePaise),
            () => undefined, // a failed quote is a missing tick: the price goes stale
          );
        }
      }, options.intervalMs ?? 200)
    : undefined;
  timer?.unref();

  return {
    push,
    silence(instrument) {
      const seen = last.get(instrumentKey(instrument));
      if (seen) seen.silenced = true;
    },
    watch(instrument, onTick) {
      const key = instrumentKey(instrument);
      const entry = watchers.get(key) ?? { instrument, listeners: new Set() };
      watchers.set(key, entry);
      const listener = (tick: PriceTick) => onTick(tick);
      entry.listeners.add(listener);
      return () => {
        entry.listeners.delete(listener);
        if (!entry.listeners.size && watchers.get(key) === entry) watchers.delete(key);
      };
    },
    latest(instrument): LatestPrice | undefined {
      const seen = last.get(instrumentKey(instrument));
      if (!seen) return undefined;
      return { ...seen.tick, stale: seen.silenced || Date.now() - seen.receivedAt > staleMs };
    },
    close() {
      closed = true;
      if (timer) clearInterval(timer);
      watchers.clear();
      return Promise.resolve();
    },
  };
}
