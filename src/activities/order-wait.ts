/**
 * Waiting for a sent order (a working entry or exit) where the broker notifies order changes
 * (Breeze). Polling each wait every few seconds would spend the broker's budget with the number of
 * waits (ten waits at 5 s: 120 reads a minute against Breeze's 80 not kept for orders), so:
 * - the first look after sending is made at once (the order may have filled before its notice
 *   could be heard) and counted against the worker's order-status ration;
 * - a notice that the order changed is read at once, counted the same way;
 * - while notices can arrive, the order is otherwise looked at only as a safety net every
 *   SAFETY_LOOK_CONNECTED_MS, at its turn in the ration;
 * - while the notice stream is down (a change could go unsaid), it is looked at as often as the
 *   ration gives it turns, shared with every other wait and resting-order watch of the worker.
 * So the reads grow with the orders' own changes, never with the number of waits or their length
 * (arithmetic in domain/quote-budget.ts; test/unit/session-budget.test.ts holds it to Breeze's budget).
 *
 * @module
 */
import type { OrderNotices } from '../broker/order-notices.ts';
import type { LegStatus } from '../db/orders.ts';
import { heartbeat, pause } from './context.ts';
import type { ReadRation } from './read-ration.ts';

/** While notices can arrive, a waited-for order is looked at this often at least (a net for a lost notice). */
export const SAFETY_LOOK_CONNECTED_MS = 2 * 60_000;
/** The wait wakes this often to heartbeat (and so to learn of its cancellation). */
const HEARTBEAT_MS = 2_000;
/** What this worker last saw of an order is forgotten after this long (an order no wait asks about any more). */
const FORGET_MS = 24 * 60 * 60_000;

const TERMINAL: readonly LegStatus[] = ['FILLED', 'CANCELLED', 'REJECTED'];

/** An order as a look at the broker answers it. */
interface Seen {
  status: LegStatus;
}

/** What a worker last saw of each order it waits for, across the wait's windows. */
export type OrderSightings<R extends Seen> = Map<string, { at: number; result: R }>;

export interface NoticeWait<R extends Seen> {
  notices: OrderNotices;
  ration: ReadRation;
  seen: OrderSightings<R>;
  /** Ask the broker for the order. */
  read: () => Promise<R>;
  /** The order as an OPEN result, when this worker has not seen it yet. */
  unseen: () => R;
}


/**
 * Wait for the order to end or `windowMs` to pass. Answers the order as last seen (a placeholder
 * OPEN result when this worker has not seen it yet: the workflow simply waits again).
 */
export async function awaitOrderNotices<R extends Seen>(w: NoticeWait<R>, brokerOrderId: string, windowMs: number, firstLook: boolean): Promise<R> {
  const until = Date.now() + windowMs;
  let noticed = false;
  let granted = false;
  let turn: Promise<boolean> | undefined;
  let wake: (() => void) | undefined;
  let finish = () => {};
  const finished = new Promise<void>((r) => (finish = r));
  const stop = w.notices.onChange(brokerOrderId, () => {
    noticed = true;
    wake?.();
  });

  async function look(): Promise<R> {
    const result = await w.read();
    forgetOld(w.seen);
    if (TERMINAL.includes(result.status)) w.seen.delete(brokerOrderId);
    else w.seen.set(brokerOrderId, { at: Date.now(), result });
    heartbeat(result.status);
    return result;
  }
  /** Whether the safety-net look is due: never seen by this worker, or not for the gap. */
  function due(): boolean {
    const last = w.seen.get(brokerOrderId)?.at;
    const gap = w.notices.connected() ? SAFETY_LOOK_CONNECTED_MS : 0;
    return last === undefined || Date.now() - last >= gap;
  }
  const lastSeen = (): R => w.seen.get(brokerOrderId)?.result ?? w.unseen();

  try {
    if (firstLook) {
      w.ration.spend();
      const result = await look();
      if (TERMINAL.includes(result.status)) return result;
    }
    for (;;) {
      if (noticed) {
        noticed = false;
        w.ration.spend();
        const result = await look();
        if (TERMINAL.includes(result.status)) return result;
      }
      if (granted) {
        granted = false;
        if (due()) {
          const result = await look();
          if (TERMINAL.includes(result.status)) return result;
        }
      }
      if (Date.now() >= until) return lastSeen();
      heartbeat();
      if (!turn && due()) {
        const asked = w.ration.turn(finished);
        turn = asked;
        void asked.then((ok) => {
          turn = undefined;
          granted = ok;
          wake?.();
        });
      }
      if (noticed || granted) continue;
      await Promise.race([new Promise<void>((r) => (wake = r)), pause(Math.min(HEARTBEAT_MS, Math.max(0, until - Date.now())))]);
      wake = undefined;
    }
  } finally {
    finish();
    stop();
  }
}

function forgetOld(seen: Map<string, { at: number }>): void {
  const before = Date.now() - FORGET_MS;
  for (const [id, s] of seen) if (s.at < before) seen.delete(id);
}
