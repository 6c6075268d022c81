/**
 * The exit book: every held position's stop-loss and target, watched by one book per worker
 * instead of one long-running activity per position. A position costs the worker a row in memory
 * and nothing while no price moves: no heartbeat, no timer, no task slot (the per-position watcher
 * cost ~0.015% of a core and ~0.7 MiB each, docs/benchmarks.md#10000-held-positions-benchpositionsts).
 *
 * The trade workflow books its watch (a row in exit_watches, migration 0210) when it holds, and
 * waits for a signal. Every worker holds the whole book (read at start and on every reconnect of
 * its listening connection, and row by row as changes are announced), decides on every tick of
 * an instrument for each position on it, and signals a trade whose level a price crossed. With
 * several workers each one signals; the trade acts on the first and ignores the rest, so a worker
 * that dies takes no position's watch with it. The book runs on a thread of the worker's own
 * (src/worker/exit-book-thread.ts), so a tick does not wait for the exits the worker carries out.
 *
 * While the feed for an instrument is stale (or has not spoken within one staleness window of
 * being subscribed) the book asks the broker's REST API through the worker's rationed quotes, one
 * quote per instrument for all its positions (quote-ration.ts).
 *
 * On a broker that announces every change of its orders without spending a call budget (the paper
 * exchange, migration 0200), the book also tells a trade when one of its resting protective orders
 * changed, so the trade looks at them then instead of a watcher activity waiting on them.
 *
 * Trailing stops are not booked: their watch moves the stop as the price runs (exit-triggers.ts).
 *
 * @module
 */
import type { OrderNotices } from '../broker/order-notices.ts';
import type { PriceFeed, Unwatch } from '../broker/price-feed.ts';
import type { Logger } from '../config/logger.ts';
import type { ExitWatch } from '../db/exit-watches.ts';
import { exitTrigger } from '../domain/exit-triggers.ts';
import type { Paise } from '../domain/money.ts';
import { type Instrument, instrumentKey } from '../domain/trade.ts';
import type { TradeLatency } from '../observability/trade-latency.ts';
import type { PriceCrossed, TradesPort } from './ports.ts';
import type { PriceRecorder } from './price-recorder.ts';
import type { QuoteRation } from './quote-ration.ts';

/** How often the book looks for instruments whose feed went stale. */
const STALE_CHECK_MS = 1_000;
/** A signal that failed (the workflow engine unreachable) is sent again no sooner than this. */
export const RETRY_SIGNAL_MS = 1_000;

export interface ExitBookOptions {
  prices: PriceFeed;
  ration: QuoteRation;
  /** Order changes of a broker that announces every one of them (the paper exchange), if this worker has one. */
  orderChanges?: OrderNotices | undefined;
  trades: Pick<TradesPort, 'priceCrossed' | 'protectionChanged'>;
  /** Where the prices the book sees are recorded for the risk engine, when it is the book that records them. */
  record?: PriceRecorder | undefined;
  /** A watch whose trade is gone (its workflow finished without deleting it) is deleted. */
  forget: (workflowId: string) => Promise<void>;
  latency?: Pick<TradeLatency, 'tickToDecision'> | undefined;
  log: Logger;
  staleMs: number;
  now?: () => number;
}

interface Entry {
  watch: ExitWatch;
  /** Signalled for these levels (or a signal is on its way): not again on the next tick. */
  signalled: boolean;
  retryAt: number;
  stopListening: (() => void)[];
  /** A change of its resting orders is being told (or must be told again once that is done). */
  telling: boolean;
  tellAgain: boolean;
}

interface InstrumentWatch {
  instrument: Instrument;
  entries: Set<Entry>;
  unwatch: Unwatch;
  since: number;
  asking: boolean;
}

export class ExitBook {
  private readonly entries = new Map<string, Entry>();
  private readonly instruments = new Map<string, InstrumentWatch>();
  private readonly timer: NodeJS.Timeout;
  private readonly now: () => number;
  private readonly o: ExitBookOptions;

  constructor(options: ExitBookOptions) {
    this.o = options;
    this.now = options.now ?? Date.now;
    this.timer = setInterval(() => this.askStale(), STALE_CHECK_MS);
    this.timer.unref();
  }

  /** How many positions the book watches. */
  get size(): number {
    return this.entries.size;
  }

  has(workflowId: string): boolean {
    return this.entries.has(workflowId);
  }

  /** Watch a position (replacing its earlier watch); a price already through a level is told at once. */
  put(watch: ExitWatch): void {
    const before = this.entries.get(watch.workflowId);
    // the same booking read again (a reconnect): keep what was decided for it
    if (before?.watch.booking === watch.booking) return;
    if (before) this.drop(before);
    const entry: Entry = { watch, signalled: false, retryAt: 0, stopListening: [], telling: false, tellAgain: false };
    this.entries.set(watch.workflowId, entry);
    const key = instrumentKey(watch.instrument);
    let group = this.instruments.get(key);
    if (!group) {
      const created: InstrumentWatch = { instrument: watch.instrument, entries: new Set(), unwatch: () => {}, since: this.now(), asking: false };
      created.unwatch = this.o.prices.watch(watch.instrument, (tick) => this.onPrice(key, created, tick.lastPricePaise, tick.at, true));
      this.instruments.set(key, created);
      group = created;
    }
    group.entries.add(entry);
    if (this.o.orderChanges) entry.stopListening = watch.restingOrderIds.map((id) => this.o.orderChanges?.onChange(id, () => this.tellChanged(entry)) ?? (() => {}));
    const seen = this.o.prices.latest(watch.instrument);
    if (seen && !seen.stale) this.decide(entry, seen.lastPricePaise, false);
  }

  remove(workflowId: string): void {
    const entry = this.entries.get(workflowId);
    if (entry) this.drop(entry);
  }

  /**
   * The whole book as read (at start, after a reconnect): what is not in it is no longer watched.
   * Every trade with resting orders is told to look at them: they may have changed while no
   * worker listened (a fill with every worker down), and such a change is announced to no one.
   */
  replaceAll(watches: ExitWatch[]): void {
    const kept = new Set(watches.map((w) => w.workflowId));
    for (const id of [...this.entries.keys()]) if (!kept.has(id)) this.remove(id);
    for (const w of watches) this.put(w);
    if (!this.o.orderChanges) return;
    for (const entry of this.entries.values()) if (entry.watch.restingOrderIds.length) this.tellChanged(entry);
  }

  close(): void {
    clearInterval(this.timer);
    for (const entry of [...this.entries.values()]) this.drop(entry);
  }

  private drop(entry: Entry): void {
    this.entries.delete(entry.watch.workflowId);
    for (const stop of entry.stopListening) stop();
    const key = instrumentKey(entry.watch.instrument);
    const group = this.instruments.get(key);
    if (!group) return;
    group.entries.delete(entry);
    if (group.entries.size) return;
    group.unwatch();
    this.instruments.delete(key);
  }

  private onPrice(key: string, group: InstrumentWatch, pricePaise: Paise, at: string, streamed: boolean): void {
    this.o.record?.(key, pricePaise, at);
    for (const entry of group.entries) {
      const trigger = this.decide(entry, pricePaise, streamed);
      // a streamed tick that decided (not a REST quote): the tick's own time to this decision
      if (trigger) this.o.latency?.tickToDecision(trigger, (this.now() - Date.parse(at)) / 1000);
    }
  }

  /** Judge the price for one position; answers the trigger when this price decided it (and its trade is being told). */
  private decide(entry: Entry, pricePaise: Paise, streamed: boolean): PriceCrossed['trigger'] | undefined {
    if (entry.signalled || this.now() < entry.retryAt) return undefined;
    const { watch } = entry;
    const trigger = exitTrigger(watch.side, pricePaise, watch.stopLossPaise, watch.targetPaise);
    if (!trigger) return undefined;
    entry.signalled = true;
    const crossed: PriceCrossed = { trigger, triggeredAt: new Date(this.now()).toISOString(), lastPricePaise: pricePaise, booking: watch.booking };
    // told once every position of this price is decided: the 20th position of an instrument is
    // not decided after 19 signals' worth of client work
    queueMicrotask(() => this.tellCrossed(entry, crossed));
    return streamed ? trigger : undefined;
  }

  private tellCrossed(entry: Entry, crossed: PriceCrossed): void {
    const { watch } = entry;
    const { trigger } = crossed;
    this.o.trades.priceCrossed(watch.workflowId, crossed).then(
      (answer) => {
        if (answer === 'gone') this.forget(entry);
      },
      (err: unknown) => {
        this.o.log.warn({ err, workflowId: watch.workflowId, trigger }, 'could not tell a trade its price crossed; telling it again on the next price');
        entry.signalled = false;
        entry.retryAt = this.now() + RETRY_SIGNAL_MS;
      },
    );
  }

  /** One of the entry's resting orders changed: tell its trade (once at a time, again if it changed meanwhile). */
  private tellChanged(entry: Entry): void {
    if (entry.telling) {
      entry.tellAgain = true;
      return;
    }
    entry.telling = true;
    entry.tellAgain = false;
    this.o.trades
      .protectionChanged(entry.watch.workflowId)
      .then(
        (answer) => {
          if (answer === 'gone') this.forget(entry);
        },
        (err: unknown) => {
          this.o.log.warn({ err, workflowId: entry.watch.workflowId }, 'could not tell a trade its resting order changed; telling it again');
          entry.tellAgain = true;
        },
      )
      .finally(() => {
        entry.telling = false;
        if (entry.tellAgain && this.entries.get(entry.watch.workflowId) === entry) setTimeout(() => this.tellChanged(entry), RETRY_SIGNAL_MS).unref();
      });
  }

  /** Its trade has finished: the watch it left behind goes (from the table too, for every worker). */
  private forget(entry: Entry): void {
    if (this.entries.get(entry.watch.workflowId) !== entry) return;
    this.drop(entry);
    this.o.forget(entry.watch.workflowId).catch((err: unknown) => this.o.log.warn({ err, workflowId: entry.watch.workflowId }, 'could not delete the watch of a finished trade'));
  }

  /** Instruments whose feed is stale (or silent since subscribed): one rationed REST quote each. */
  private askStale(): void {
    const now = this.now();
    for (const [key, group] of this.instruments) {
      if (group.asking) continue;
      const latest = this.o.prices.latest(group.instrument);
      // a new subscription gets one staleness window to deliver its first tick
      if (latest ? !latest.stale : now - group.since <= this.o.staleMs) continue;
      group.asking = true;
      this.o.ration
        .get(group.instrument)
        .then(
          (quote) => {
            if (quote && this.instruments.get(key) === group) this.onPrice(key, group, quote.lastPricePaise, quote.at, false);
          },
          (err: unknown) => this.o.log.warn({ err, instrument: key }, 'quote failed while the exit book watched a stale price feed'),
        )
        .finally(() => (group.asking = false));
    }
  }
}
