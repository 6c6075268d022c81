/**
 * The hold phase: keep the open position until an exit is requested, the stop-loss or target is
 * hit, or the square-off time comes; continue-as-new keeps the history bounded meanwhile.
 *
 * @module
 */
import * as wf from '@temporalio/workflow';
import type { ExitTrigger } from '../../domain/exit-triggers.ts';
import type { ExitReason } from '../../domain/trade.ts';
import type { ExitRequest } from '../messages.ts';
import { untilInterrupted } from '../scopes.ts';
import type { ProtectionEnded } from '../../activities/protection.ts';
import type { WatchResult } from '../../activities/exit-triggers.ts';
import type { OcoState } from '../../activities/protection-oco.ts';
import { book, BOOK_WINDOW_MS, bookedLegs, bookedPrice, unbook } from './book.ts';
import { orderWatch } from './legs.ts';
import { applyChanges, placementDue, placeProtection, protectionLost, protectiveLeg, restingLegs, untilPlacementRetry, wantsProtection } from './protection.ts';
import { ocoResting, ocoSeen } from './protection-oco.ts';
import { noteExtreme, ratchet, startTrailing, trailInput } from './trailing.ts';
import { firstOf, watch, windDown } from './watches.ts';
import { levelsOf, type TradeRun, type TradeWorkflow } from './run.ts';

const changePending = (run: TradeRun) => run.changes.length > run.changesApplied;

/** The exit the price watcher asks for, with when its tick arrived (for the tick-to-exit-order metric). */
function triggeredExit(run: TradeRun, trigger: ExitTrigger, triggeredAt: string | undefined): ExitRequest {
  const exit: ExitRequest = { reason: trigger, requestedBy: run.self };
  return triggeredAt ? { ...exit, triggered: { at: triggeredAt, reason: trigger } } : exit;
}

/** Stop-loss and target are watched in windows of this length. */
const WATCH_WINDOW_MS = 5 * 60_000;
/** With nothing to watch, the hold wakes up this often (to continue-as-new when suggested). */
const IDLE_WINDOW_MS = 60 * 60_000;

/** Hold the position until something says exit; returns why. */
export async function holdPosition(run: TradeRun): Promise<ExitRequest> {
  const { input, hold } = run;
  const { request } = input;
  const system = (reason: ExitReason): ExitRequest => ({ reason, requestedBy: run.self });
  await startTrailing(run);
  for (;;) {
    if (run.resting && (wantsProtection(run) || changePending(run))) return holdProtected(run);
    if (run.pendingExit) return run.pendingExit;
    const untilSquareOff = hold.squareOffAt ? Date.parse(hold.squareOffAt) - Date.now() : Infinity;
    if (untilSquareOff <= 0) return system('SQUARE_OFF');
    if (wf.workflowInfo().continueAsNewSuggested) {
      await wf.condition(wf.allHandlersFinished);
      await wf.continueAsNew<TradeWorkflow>({ ...input, resume: { ...hold, pendingExit: run.pendingExit } });
    }
    if ((request.stopLossPaise !== undefined || request.targetPaise !== undefined) && run.exitBook) {
      await book(run, { stopLossPaise: request.stopLossPaise, targetPaise: request.targetPaise }, []);
      const windowMs = Math.min(BOOK_WINDOW_MS, untilSquareOff);
      const watched = await untilInterrupted(
        () => bookedPrice(run, windowMs),
        () => run.pendingExit !== undefined || (run.resting && changePending(run)),
      );
      if (watched?.trigger) return triggeredExit(run, watched.trigger, watched.triggeredAt);
    } else if (request.stopLossPaise !== undefined || request.targetPaise !== undefined) {
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
      if (watched?.trigger) return triggeredExit(run, watched.trigger, watched.triggeredAt);
    } else {
      await wf.condition(() => run.pendingExit !== undefined || (run.resting && changePending(run)), Math.min(IDLE_WINDOW_MS, untilSquareOff));
    }
  }
}

type Seen = { price: WatchResult } | { broker: ProtectionEnded } | { oco: OcoState };

/** Broker orders are polled this often while they rest (order notifications may replace it). */
const PROTECTION_POLL_MS = 5000;
/** An OCO that ended without triggering is placed again after this long. */
const OCO_RETRY_MS = 30 * 60_000;

/**
 * Hold with protection resting at the broker: place it, then watch the price (the second line, it
 * may decide first) and the resting orders side by side until one decides or an exit is asked for.
 */
async function holdProtected(run: TradeRun): Promise<ExitRequest> {
  const { input, hold } = run;
  const { request } = input;
  const system = (reason: ExitReason): ExitRequest => ({ reason, requestedBy: run.self });
  for (;;) {
    if (run.pendingExit) return run.pendingExit;
    const untilSquareOff = hold.squareOffAt ? Date.parse(hold.squareOffAt) - Date.now() : Infinity;
    if (untilSquareOff <= 0) return system('SQUARE_OFF');
    if (wf.workflowInfo().continueAsNewSuggested) {
      await windDown(run);
      await wf.condition(wf.allHandlersFinished);
      await wf.continueAsNew<TradeWorkflow>({ ...input, resume: { ...hold, pendingExit: run.pendingExit } });
    }
    if (changePending(run)) {
      await applyChanges(run);
      if (run.protectionFill) return system(run.protectionFill.which === 'STOP' ? 'STOP_LOSS' : 'TARGET');
      continue;
    }
    if (placementDue(run)) {
      await placeProtection(run);
      if (run.protectionFill) return system(run.protectionFill.which === 'STOP' ? 'STOP_LOSS' : 'TARGET');
      continue;
    }
    const legs = restingLegs(run);
    const oco = hold.protection?.oco;
    // an OCO held by the broker holds the target too; the price still watches the stop (the second line)
    const targetRests = legs.some((l) => l.which === 'TARGET') || ocoResting(run);
    const works: (() => Promise<Seen>)[] = [];
    const { stopLossPaise, targetPaise } = levelsOf(run);
    const watchesPrice = stopLossPaise !== undefined || (targetPaise !== undefined && !targetRests);
    const trail = watchesPrice ? trailInput(run) : undefined;
    const priceLevels = { stopLossPaise, targetPaise: targetRests ? undefined : targetPaise };
    if (run.exitBook && !trail && (watchesPrice || legs.length)) {
      // the book watches the price (and, where the broker announces them, the resting orders)
      const booked = await book(run, watchesPrice ? priceLevels : {}, legs);
      const legsWatched = legs.length > 0 && !booked.legsAnnounced;
      // a watch activity bounds the window (its start-to-close timeout); the book alone does not
      const windowMs = Math.min(legsWatched || oco ? WATCH_WINDOW_MS : BOOK_WINDOW_MS, untilSquareOff, untilPlacementRetry(run));
      if (watchesPrice) works.push(() => bookedPrice(run, windowMs).then((price) => ({ price })));
      if (legs.length && booked.legsAnnounced) works.push(() => bookedLegs(run, legs, windowMs).then((broker) => ({ broker })));
      if (legsWatched) works.push(() => watch.watchProtection(legs, windowMs, PROTECTION_POLL_MS).then((broker) => ({ broker })));
      if (oco) works.push(() => watch.watchProtectionOco(protectiveLeg(run, 'STOP'), oco.ocoId, windowMs, PROTECTION_POLL_MS).then((seen) => ({ oco: seen })));
    } else {
      // a trailing stop's own watcher moves the stop as the price runs (exit-triggers.ts)
      await unbook(run);
      const windowMs = Math.min(WATCH_WINDOW_MS, untilSquareOff, untilPlacementRetry(run));
      if (watchesPrice) {
        const watched = { instrument: request.instrument, side: request.side, ...priceLevels, windowMs, ...(trail ? { trail } : {}) };
        works.push(() => watch.watchExitTriggers(watched).then((price) => ({ price })));
      }
      if (legs.length) works.push(() => watch.watchProtection(legs, windowMs, PROTECTION_POLL_MS).then((broker) => ({ broker })));
      if (oco) works.push(() => watch.watchProtectionOco(protectiveLeg(run, 'STOP'), oco.ocoId, windowMs, PROTECTION_POLL_MS).then((seen) => ({ oco: seen })));
    }
    if (!works.length) {
      // nothing rests and nothing to watch (a placement waiting out a refusal): wait for a message or the square-off
      await wf.condition(() => run.pendingExit !== undefined || changePending(run), Math.min(IDLE_WINDOW_MS, untilSquareOff, untilPlacementRetry(run)));
      continue;
    }
    const seen = await firstOf(run, works, () => run.pendingExit !== undefined || changePending(run));
    if (!seen) continue;
    if ('price' in seen) {
      noteExtreme(run, seen.price.extremePaise);
      if (seen.price.ratchet) {
        ratchet(run, seen.price.ratchet.stopLossPaise);
        await applyChanges(run);
        if (run.protectionFill) return system(run.protectionFill.which === 'STOP' ? 'STOP_LOSS' : 'TARGET');
      }
      if (!seen.price.trigger) continue;
      // the price went through the stop while it rests: the stop itself is the exit, chased if it gapped
      run.chaseStop = seen.price.trigger === 'STOP_LOSS' && (legs.some((l) => l.which === 'STOP') || ocoResting(run));
      return triggeredExit(run, seen.price.trigger, seen.price.triggeredAt);
    }
    if ('oco' in seen) {
      await ocoSeen(run, protectiveLeg, seen.oco, OCO_RETRY_MS);
      continue;
    }
    const { which, result } = seen.broker;
    if (!which || !result) continue;
    if (result.filledQuantity > 0) {
      run.protectionFill = { which, result };
      return system(which === 'STOP' ? 'STOP_LOSS' : 'TARGET');
    }
    protectionLost(run, which);
  }
}
