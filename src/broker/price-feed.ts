/**
 * Prices as they stream in: one subscription per instrument at the broker, however many positions
 * watch it, fanned out to every watcher in the worker. The paper exchange and Breeze (over its
 * Socket.IO stream, docs/breeze-api.md#streaming) both publish through this interface, so a stop
 * watcher or the daily-loss guard cannot tell them apart.
 *
 * A feed that has said nothing for a while is stale: `latest` then answers `stale: true`, and a
 * caller that needs a price must not read a stale one as current (nor a missing one as no loss).
 *
 * @module
 */
import type { Paise } from '../domain/money.ts';
import type { KnownPrice } from '../domain/risk/open-loss.ts';
import type { Instrument } from '../domain/trade.ts';

export interface PriceTick {
  instrument: Instrument;
  lastPricePaise: Paise;
  /** When the exchange traded or the broker sent it (ISO, UTC). */
  at: string;
}

export interface LatestPrice extends PriceTick {
  /** No tick within the feed's staleness window: the price may be far from the market. */
  stale: boolean;
}

/** Stops a watch; calling it twice is harmless. */
export type Unwatch = () => void;

export interface PriceFeed {
  /**
   * Calls `onTick` for every price of `instrument` from now on, until the returned function is
   * called. The first watcher of an instrument subscribes at the broker, the last one to leave
   * unsubscribes.
   */
  watch(instrument: Instrument, onTick: (tick: PriceTick) => void): Unwatch;
  /** The last price seen for `instrument`, if any, with whether it is stale. */
  latest(instrument: Instrument): LatestPrice | undefined;
  /** Disconnects from the broker's stream; watchers get no more ticks. */
  close(): Promise<void>;
}

/** A feed's latest price as the risk rules judge its freshness (src/domain/risk/open-loss.ts). */
export function knownPrice(latest: LatestPrice): KnownPrice {
  return { pricePaise: latest.lastPricePaise, at: new Date(latest.at), stale: latest.stale };
}
