/**
 * Watching a position's protective orders resting at the broker until one ends.
 *
 * On the paper exchange (our own database, no call budget) each leg is asked every `pollMs`.
 * Where the broker notifies order changes (Breeze), polling every leg would spend the budget
 * (three positions with a stop and a target at 5 s: 72 reads a minute against Breeze's 80 not
 * kept for orders), so a leg is asked only when a notice says it changed, and otherwise as a rare
 * safety net through the worker's order-status ration (read-ration.ts, domain/quote-budget.ts):
 * every NET_LOOK_CONNECTED_MS while notices can arrive, as often as the ration allows while the
 * notice stream is down (a change could then go unsaid). The price watcher stays the second line.
 *
 * The paper exchange announces its orders' changes too (migration 0200), from its own tables and
 * never missed while the worker listens: a leg is looked at when it changed, and otherwise once a
 * minute, with no budget to ration.
 *
 * @module
 */
import type { OrderNotices } from '../broker/order-notices.ts';
import type { PriceFeed } from '../broker/price-feed.ts';
import type { Broker } from '../broker/types.ts';
import { heartbeat, pause } from './context.ts';
import { type LegInput, type LegResult, toLegResult } from './orders.ts';
import type { ReadRation } from './read-ration.ts';

/** A protective order at the broker: which one it is, the leg it was sent as and the broker's id. */
export interface RestingLeg {
  which: 'STOP' | 'TARGET';
  leg: LegInput;
  brokerOrderId: string;
}

export interface ProtectionEnded {
  /** The protective order that is no longer resting (filled, cancelled, rejected or expired), if one ended. */
  which?: 'STOP' | 'TARGET' | undefined;
  result?: LegResult | undefined;
}

/** The safety-net look at a leg while notices can arrive. */
export const NET_LOOK_CONNECTED_MS = 2 * 60_000;
/** The watch wakes this often to heartbeat (and so to learn of its cancellation). */
const HEARTBEAT_MS = 2_000;
/** The look at a paper leg that no change announced: only a notice lost on a dropped listening connection needs it. */
export const PAPER_NET_LOOK_MS = 60_000;


/** The first leg the broker no longer has resting, as it ended; undefined while all rest. */
export async function endedLeg(broker: Broker, legs: RestingLeg[]): Promise<ProtectionEnded | undefined> {
  for (const { which, leg, brokerOrderId } of legs) {
    const order = await broker.getOrder(leg.accountId, brokerOrderId, leg.instrument);
    if (order.status !== 'OPEN') return { which, result: toLegResult(leg.tag, order) };
  }
  return undefined;
}

/** Poll every leg every `pollMs` (a broker that announces nothing). */
export async function pollProtection(broker: Broker, legs: RestingLeg[], windowMs: number, pollMs: number): Promise<ProtectionEnded> {
  const until = Date.now() + windowMs;
  for (;;) {
    heartbeat();
    const ended = await endedLeg(broker, legs);
    if (ended) return ended;
    if (Date.now() >= until) return {};
    await pause(pollMs);
  }
}

/**
 * The paper exchange: look at the legs at once, then when one's change is announced, and otherwise
 * every PAPER_NET_LOOK_MS (every `pollMs` while not listening). The exchange moves an instrument's
 * price, and fills what rests on it, only when the price is read, and its feed reads every watched
 * instrument each second: so the watch keeps its instrument watched, and the market it waits on
 * moves even when no price watcher runs (a resting target with no stop-loss).
 */
export async function awaitPaperProtection(broker: Broker, changes: OrderNotices, prices: PriceFeed, legs: RestingLeg[], windowMs: number, pollMs: number): Promise<ProtectionEnded> {
  const until = Date.now() + windowMs;
  let changed = true;
  let lastLook = -Infinity;
  let wake: (() => void) | undefined;
  const stops = legs.map((l) =>
    changes.onChange(l.brokerOrderId, () => {
      changed = true;
      wake?.();
    }),
  );
  const unwatch = legs[0] ? prices.watch(legs[0].leg.instrument, () => {}) : () => {};
  try {
    for (;;) {
      if (changed || Date.now() - lastLook >= (changes.connected() ? PAPER_NET_LOOK_MS : pollMs)) {
        changed = false;
        lastLook = Date.now();
        const ended = await endedLeg(broker, legs);
        if (ended) return ended;
      }
      if (Date.now() >= until) return {};
      heartbeat();
      if (changed) continue;
      await Promise.race([new Promise<void>((r) => (wake = r)), pause(Math.min(HEARTBEAT_MS, Math.max(0, until - Date.now())))]);
      wake = undefined;
    }
  } finally {
    unwatch();
    for (const stop of stops) stop();
  }
}

/** Wait for the legs' notices, looking at them otherwise only through the ration. */
export async function awaitProtectionNotices(broker: Broker, notices: OrderNotices, ration: ReadRation, legs: RestingLeg[], windowMs: number, pollMs: number): Promise<ProtectionEnded> {
  const until = Date.now() + windowMs;
  // undefined: not looked at in this watch yet (a notice may have come between two watches)
  const lastLook = new Map<RestingLeg, number>();
  const noticed = new Set<RestingLeg>();
  let wake: (() => void) | undefined;
  let finish = () => {};
  const finished = new Promise<void>((r) => (finish = r));
  const stops = legs.map((l) =>
    notices.onChange(l.brokerOrderId, () => {
      noticed.add(l);
      wake?.();
    }),
  );
  let turn: Promise<boolean> | undefined;
  let granted = false;

  async function look(l: RestingLeg): Promise<ProtectionEnded | undefined> {
    lastLook.set(l, Date.now());
    const order = await broker.getOrder(l.leg.accountId, l.brokerOrderId, l.leg.instrument);
    return order.status === 'OPEN' ? undefined : { which: l.which, result: toLegResult(l.leg.tag, order) };
  }
  /** The leg whose safety-net look is due (the one looked at longest ago), if any. */
  function due(): RestingLeg | undefined {
    const gap = notices.connected() ? NET_LOOK_CONNECTED_MS : pollMs;
    const oldest = [...legs].sort((a, b) => (lastLook.get(a) ?? -Infinity) - (lastLook.get(b) ?? -Infinity))[0];
    const last = oldest && lastLook.get(oldest);
    return oldest && (last === undefined || Date.now() - last >= gap) ? oldest : undefined;
  }

  try {
    for (;;) {
      for (const l of legs.filter((x) => noticed.has(x))) {
        noticed.delete(l);
        ration.spend();
        const ended = await look(l);
        if (ended) return ended;
      }
      if (granted) {
        granted = false;
        const l = due();
        if (l) {
          const ended = await look(l);
          if (ended) return ended;
        }
      }
      if (Date.now() >= until) return {};
      heartbeat();
      if (!turn && due()) {
        const asked = ration.turn(finished);
        turn = asked;
        void asked.then((ok) => {
          turn = undefined;
          granted = ok;
          wake?.();
        });
      }
      if (noticed.size || granted) continue;
      await Promise.race([new Promise<void>((r) => (wake = r)), pause(Math.min(HEARTBEAT_MS, Math.max(0, until - Date.now())))]);
      wake = undefined;
    }
  } finally {
    finish();
    for (const stop of stops) stop();
  }
}
