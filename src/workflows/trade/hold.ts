/**
 * The hold phase: keep the open position until an exit is requested, the stop-loss or target is
 * hit, or the square-off time comes; continue-as-new keeps the history bounded meanwhile.
 *
 * @module
 */
import * as wf from '@temporalio/workflow';
import type { ExitReason } from '../../domain/trade.ts';
import type { ExitRequest } from '../messages.ts';
import { untilInterrupted } from '../scopes.ts';
import { orderWatch } from './legs.ts';
import type { TradeRun, TradeWorkflow } from './run.ts';

/** Stop-loss and target are watched in windows of this length. */
const WATCH_WINDOW_MS = 5 * 60_000;
/** With nothing to watch, the hold wakes up this often (to continue-as-new when suggested). */
const IDLE_WINDOW_MS = 60 * 60_000;

/** Hold the position until something says exit; returns why. */
export async function holdPosition(run: TradeRun): Promise<ExitRequest> {
  const { input, hold } = run;
  const { request } = input;
  const system = (reason: ExitReason): ExitRequest => ({ reason, requestedBy: run.self });
  for (;;) {
    if (run.pendingExit) return run.pendingExit;
    const untilSquareOff = hold.squareOffAt ? Date.parse(hold.squareOffAt) - Date.now() : Infinity;
    if (untilSquareOff <= 0) return system('SQUARE_OFF');
    if (wf.workflowInfo().continueAsNewSuggested) {
      await wf.condition(wf.allHandlersFinished);
      await wf.continueAsNew<TradeWorkflow>({ ...input, resume: { ...hold, pendingExit: run.pendingExit } });
    }
    if (request.stopLossPaise !== undefined || request.targetPaise !== undefined) {
      const watched = await untilInterrupted(
        () =>
          orderWatch.watchExitTriggers({
            instrument: request.instrument,
            side: request.side,
            stopLossPaise: request.stopLossPaise,
            targetPaise: request.targetPaise,
            windowMs: Math.min(WATCH_WINDOW_MS, untilSquareOff),
          }),
        () => run.pendingExit !== undefined,
      );
      if (watched?.trigger) return system(watched.trigger);
    } else {
      await wf.condition(() => run.pendingExit !== undefined, Math.min(IDLE_WINDOW_MS, untilSquareOff));
    }
  }
}
