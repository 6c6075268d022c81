/**
 * The fan-out behind every {@link PriceFeed}: one upstream subscription per instrument however
 * many watchers, the last watcher out unsubscribes, and `latest` says whether the price is stale.
 * A broker's stream (Breeze over Socket.IO, the paper exchange over LISTEN/NOTIFY) only has to
 * subscribe, unsubscribe and `publish` what arrives.
 *
 * Staleness is by arrival in this process, not by the tick's own time (the broker's clock may
 * differ from ours): an instrument that has said nothing for `staleMs`, or any instrument while the
 * upstream is disconnected, is stale.
 *
 * @module
 */
import { type Instrument, instrumentKey } from '../domain/trade.ts';
import type { LatestPrice, PriceFeed, PriceTick, Unwatch } from './price-feed.ts';

/** What a broker's stream does for the hub. */
export interface PriceUpstream {
  /** Start receiving `instrument` (called once, by its first watcher). */
  subscribe(instrument: Instrument): void;
  /** Stop receiving it (called once, when its last watcher leaves). */
  unsubscribe(instrument: Instrument): void;
  close(): Promise<void>;
}

export interface PriceHubOptions {
  /** An instrument quiet for longer than this is stale (PRICE_STALE_S). */
  staleMs: number;
  now?: () => number;
}

interface Subscription {
  instrument: Instrument;
  watchers: Set<(tick: PriceTick) => void>;
}

interface Seen {
  tick: PriceTick;
  receivedAt: number;
}

/**
 * @example
 * const hub = new PriceHub({ staleMs: 5_000 });
 * hub.attach(upstream);
 * const stop = hub.watch(RELIANCE, (t) => console.log(t.lastPricePaise));
 * hub.publish({ instrument: RELIANCE, lastPricePaise: 2_450_00, at: new Date().toISOString() });
 * stop();
 */
export class PriceHub implements PriceFeed {
  private readonly subscriptions = new Map<string, Subscription>();
  private readonly seen = new Map<string, Seen>();
  private readonly now: () => number;
  private readonly staleMs: number;
  private upstream: PriceUpstream | undefined;
  private connected = true;
  private closed = false;

  constructor(options: PriceHubOptions) {
    this.staleMs = options.staleMs;
    this.now = options.now ?? Date.now;
  }

  /** The broker's stream; subscribes it to whatever is already watched. */
  attach(upstream: PriceUpstream): void {
    this.upstream = upstream;
    for (const s of this.subscriptions.values()) upstream.subscribe(s.instrument);
  }

  watch(instrument: Instrument, onTick: (tick: PriceTick) => void): Unwatch {
    const key = instrumentKey(instrument);
    let sub = this.subscriptions.get(key);
    if (!sub) {
      sub = { instrument, watchers: new Set() };
      this.subscriptions.set(key, sub);
      if (!this.closed) this.upstream?.subscribe(instrument);
    }
    // a watcher of its own, so the same callback watching twice is two watchers
    const watcher = (tick: PriceTick) => onTick(tick);
    sub.watchers.add(watcher);
    let done = false;
    return () => {
      if (done) return;
      done = true;
      const current = this.subscriptions.get(key);
      if (!current) return;
      current.watchers.delete(watcher);
      if (current.watchers.size > 0) return;
      this.subscriptions.delete(key);
      if (!this.closed) this.upstream?.unsubscribe(instrument);
    };
  }

  latest(instrument: Instrument): LatestPrice | undefined {
    const seen = this.seen.get(instrumentKey(instrument));
    if (!seen) return undefined;
    return { ...seen.tick, stale: !this.connected || this.now() - seen.receivedAt > this.staleMs };
  }

  /** Instruments with at least one watcher (what a reconnecting stream joins again). */
  watched(): Instrument[] {
    return [...this.subscriptions.values()].map((s) => s.instrument);
  }

  /** A price from the broker: remembered, and handed to the instrument's watchers. */
  publish(tick: PriceTick): void {
    if (this.closed) return;
    const key = instrumentKey(tick.instrument);
    this.seen.set(key, { tick, receivedAt: this.now() });
    const sub = this.subscriptions.get(key);
    if (!sub) return;
    for (const watcher of [...sub.watchers]) watcher(tick);
  }

  /** The upstream lost (false) or regained (true) its connection: while lost, every price is stale. */
  setConnected(connected: boolean): void {
    this.connected = connected;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.subscriptions.clear();
    await this.upstream?.close();
  }
}
