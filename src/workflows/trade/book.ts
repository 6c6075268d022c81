/**
 * Watching a held position through the workers' exit book (the exit-book patch): the trade books
 * its levels and resting orders (a row every worker's book follows, activities/exit-book.ts) and
 * waits for the book's signals: a price crossed, a resting order changed. Nothing runs for the
 * position meanwhile, so ten thousand held positions cost the workers no heartbeat and no task
 * slot each. The booking is taken back when the hold ends; a new run or new levels book again,
 * and a crossing the book decided for an earlier booking is ignored (handlers.ts).
 *
 * @module
 */
import * as wf from '@temporalio/workflow';
import type { WatchResult } from '../../activities/exit-triggers.ts';
import type { Activities } from '../../activities/index.ts';
import type { ProtectionEnded, RestingLeg } from '../../activities/protection.ts';
import type { ProtectionLevels } from '../messages.ts';
import type { TradeRun } from './run.ts';

/** Booking and taking back a watch: one row, local to the worker, retried until the database answers. */
const bookings = wf.proxyLocalActivities<Pick<Activities, 'bookExitWatch' | 'unbookExitWatch'>>({
  startToCloseTimeout: '15 seconds',
  retry: { initialInterval: '200 milliseconds', backoffCoefficient: 2, maximumInterval: '10 seconds' },
});

/** One look at the resting orders, when the book says one changed. */
const looks = wf.proxyActivities<Pick<Activities, 'lookAtProtection'>>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '30 seconds' },
});

/** With only the book to wait on, the hold wakes this often (to continue-as-new when suggested, and look at its orders). */
export const BOOK_WINDOW_MS = 30 * 60_000;

/** Book the watch of these levels and resting orders, unless it is booked already. */
export async function book(run: TradeRun, levels: ProtectionLevels, legs: RestingLeg[]): Promise<{ legsAnnounced: boolean }> {
  const key = JSON.stringify([levels.stopLossPaise ?? null, levels.targetPaise ?? null, legs.map((l) => l.brokerOrderId)]);
  if (run.book?.key === key) return run.book;
  const { workflowId, runId } = wf.workflowInfo();
  const { tradeId, request } = run.input;
  const booking = `${runId}:${++run.bookings}`;
  const booked = await bookings.bookExitWatch({
    workflowId,
    booking,
    tradeId,
    instrument: request.instrument,
    side: request.side,
    stopLossPaise: levels.stopLossPaise,
    targetPaise: levels.targetPaise,
    restingOrderIds: legs.map((l) => l.brokerOrderId),
  });
  run.book = { booking, key, legsAnnounced: booked.legsAnnounced };
  run.crossed = undefined;
  return run.book;
}

/** Take the booking back (the hold is over, or a trailing stop's own watcher takes over). */
export async function unbook(run: TradeRun): Promise<void> {
  if (!run.book) return;
  await bookings.unbookExitWatch(wf.workflowInfo().workflowId);
  run.book = undefined;
  run.crossed = undefined;
}

/** The book's crossing of the booked levels as a watcher's answer; an empty answer when the window ends first. */
export async function bookedPrice(run: TradeRun, windowMs: number): Promise<WatchResult> {
  await wf.condition(() => run.crossed !== undefined, windowMs);
  const crossed = run.crossed;
  return crossed ? { trigger: crossed.trigger, triggeredAt: crossed.triggeredAt, lastPricePaise: crossed.lastPricePaise } : {};
}

/**
 * The resting orders on the book's notices: looked at once now (a change may have come before the
 * book knew them, or been lost with a dropped connection), then whenever the book says one changed.
 */
export async function bookedLegs(run: TradeRun, legs: RestingLeg[], windowMs: number): Promise<ProtectionEnded> {
  const until = Date.now() + windowMs;
  run.protectionNoticed = true;
  for (;;) {
    if (run.protectionNoticed) {
      run.protectionNoticed = false;
      const ended = await looks.lookAtProtection(legs);
      if (ended.which) return ended;
    }
    const left = until - Date.now();
    if (left <= 0 || !(await wf.condition(() => run.protectionNoticed, left))) return {};
  }
}
