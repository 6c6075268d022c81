/**
 * Watching an open position under the resting-stops patch: the price watcher and the watch on the
 * protective orders run side by side, the first to answer wins and the others are cancelled. A
 * cancelled watch is not awaited on the spot (an exit must not wait for it) but the run waits for
 * every one of them before it ends or continues as new, so a closed trade leaves no activity
 * pending (the Temporal UI showed "Pending Activities 1" for the old watcher, left cancel-requested).
 *
 * @module
 */
import * as wf from '@temporalio/workflow';
import type { Activities } from '../../activities/index.ts';
import type { TradeRun } from './run.ts';

/**
 * Watches that acknowledge their cancellation: the activity heartbeats every poll and learns of
 * the cancel with its next heartbeat (throttled to 80% of the heartbeat timeout), then ends.
 */
export const watch = wf.proxyActivities<Pick<Activities, 'watchExitTriggers' | 'watchProtection' | 'watchProtectionOco'>>({
  startToCloseTimeout: '6 minutes',
  // above one slow broker read (BREEZE_TIMEOUT_MS plus the wait for a budget slot)
  heartbeatTimeout: '15 seconds',
  cancellationType: 'WAIT_CANCELLATION_COMPLETED',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '30 seconds' },
});

/**
 * Run the watches until one answers or `interrupt()` turns true; the rest are cancelled (and
 * remembered in `run.lingering`). Returns the first answer, or undefined when interrupted.
 */
export async function firstOf<T>(run: TradeRun, works: (() => Promise<T>)[], interrupt: () => boolean): Promise<T | undefined> {
  if (interrupt()) return undefined;
  const workScope = new wf.CancellationScope();
  const waitScope = new wf.CancellationScope();
  const running = works.map((work) => workScope.run(work));
  const interrupted = waitScope.run(() => wf.condition(interrupt)).then(
    () => 'interrupted' as const,
    (err: unknown) => {
      if (wf.isCancellation(err)) return 'cancelled' as const;
      throw err;
    },
  );
  try {
    const first = await Promise.race([...running.map((p) => p.then((value) => ({ value }))), interrupted]);
    return typeof first === 'object' ? first.value : undefined;
  } finally {
    waitScope.cancel();
    workScope.cancel();
    run.lingering.push(Promise.allSettled(running));
  }
}

/** Wait for every cancelled watch to have ended (before the run completes or continues as new). */
export async function windDown(run: TradeRun): Promise<void> {
  while (run.lingering.length) await run.lingering.shift();
}
