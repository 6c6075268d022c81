/**
 * Protection that rests at the broker (the resting-stops patch): once the entry fills, the
 * stop-loss goes to the broker as a stop-limit and the target as a limit, tagged and sent at most
 * once like every other leg. They are one-cancels-other, kept by the workflow: when one fills, the
 * other is cancelled and the trade closes from the broker's fill. Every exit (requested, square-off,
 * flatten) cancels them first and sends its own order only for what is still held, so a position
 * is never exited twice; a stop the price gapped through is chased with a marketable limit until
 * it fills.
 *
 * @module
 */
import * as wf from '@temporalio/workflow';
import type { Activities } from '../../activities/index.ts';
import type { LegInput, LegResult } from '../../activities/orders.ts';
import type { RestingLeg } from '../../activities/protection.ts';
import { closingSide, type ExitReason } from '../../domain/trade.ts';
import { failureMessage } from '../failures.ts';
import type { ExitRequest, ProtectionState } from '../messages.ts';
import { circuitBreaker, records, reportBrokerFailure } from './activities.ts';
import { cancelLeg, sendLeg } from './legs.ts';
import { cancelOco, moveOco, placeOco } from './protection-oco.ts';
import { held, levelsOf, setStatus, type TradeRun } from './run.ts';
import { applyTrailChange, withTrail } from './trailing.ts';

/** A refused placement (market closed, broker refusal) is tried again after this long. */
const PLACE_RETRY_MS = 30 * 60_000;
/** A chased stop is looked at (and re-priced) this often until it fills. */
const CHASE_INTERVAL = '2 seconds';

const chase = wf.proxyActivities<Pick<Activities, 'chaseStop' | 'moveProtection'>>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '30 seconds' },
});

type Which = 'STOP' | 'TARGET';
const REASON: Record<Which, ExitReason> = { STOP: 'STOP_LOSS', TARGET: 'TARGET' };

function state(run: TradeRun): ProtectionState {
  return (run.hold.protection ??= { attempt: 1, placed: false });
}

/** The protective leg: closing side, what the position holds, tag = trade id + S (stop) or T (target) + attempt. */
export function protectiveLeg(run: TradeRun, which: Which, attempt = state(run).attempt): LegInput {
  const { tradeId, accountId, request } = run.input;
  const { stopLossPaise, targetPaise } = levelsOf(run);
  const base = { tradeId, accountId, leg: 'EXIT' as const, instrument: request.instrument, side: closingSide(request.side), quantity: held(run), strategyId: request.strategyId };
  return which === 'STOP'
    ? { ...base, tag: `${tradeId}S${attempt}`, orderType: 'STOP_LIMIT', triggerPricePaise: stopLossPaise }
    : { ...base, tag: `${tradeId}T${attempt}`, orderType: 'LIMIT', limitPricePaise: targetPaise };
}

/**
 * The trade asks for protection the broker can hold. A position above the exchange's freeze
 * quantity cannot rest as one protective order (the exchange rejects it, slices.ts): the worker
 * watches its levels instead and exits in slices.
 */
export function wantsProtection(run: TradeRun): boolean {
  const { stopLossPaise, targetPaise } = levelsOf(run);
  if (run.slices && run.hold.maxSlice !== undefined && held(run) > run.hold.maxSlice) return false;
  return stopLossPaise !== undefined || targetPaise !== undefined;
}

/** This attempt's legs are to be placed now (not yet sent, and not waiting out a refusal). */
export function placementDue(run: TradeRun): boolean {
  const p = state(run);
  return wantsProtection(run) && !p.placed && (!p.retryAt || Date.parse(p.retryAt) <= Date.now());
}

/** Milliseconds until a refused placement is tried again (Infinity when none waits). */
export function untilPlacementRetry(run: TradeRun): number {
  const p = state(run);
  return !p.placed && p.retryAt ? Math.max(0, Date.parse(p.retryAt) - Date.now()) : Infinity;
}

/** The protective orders resting now, each as the leg it was sent as (its own tag). */
export function restingLegs(run: TradeRun): RestingLeg[] {
  const p = state(run);
  const legs: RestingLeg[] = [];
  if (p.stop) legs.push({ which: 'STOP', leg: { ...protectiveLeg(run, 'STOP'), tag: p.stop.tag }, brokerOrderId: p.stop.brokerOrderId });
  if (p.target) legs.push({ which: 'TARGET', leg: { ...protectiveLeg(run, 'TARGET'), tag: p.target.tag }, brokerOrderId: p.target.brokerOrderId });
  return legs;
}

/** Send this attempt's stop and target; one that fills at once (the price already through) closes the trade. */
export async function placeProtection(run: TradeRun): Promise<void> {
  // where the broker holds both as one OCO order (the broker-oco patch), nothing else is sent
  if (await placeOco(run, protectiveLeg)) return;
  const p = state(run);
  const { stopLossPaise, targetPaise } = levelsOf(run);
  const wanted: Which[] = [...(stopLossPaise !== undefined ? ['STOP' as const] : []), ...(targetPaise !== undefined ? ['TARGET' as const] : [])];
  let refused = false;
  for (const which of wanted) {
    if (run.protectionFill) break;
    if (p[which === 'STOP' ? 'stop' : 'target']) continue; // still resting from an earlier attempt
    const leg = protectiveLeg(run, which);
    let result: LegResult;
    try {
      result = await sendLeg(leg);
    } catch (err) {
      await reportBrokerFailure(run, err);
      wf.log.warn('a protective order could not be placed; the worker watches the price meanwhile', { tradeId: run.input.tradeId, tag: leg.tag, error: failureMessage(err) });
      refused = true;
      continue;
    }
    if (result.filledQuantity > 0) run.protectionFill = { which, result };
    else if (result.status === 'OPEN' && result.brokerOrderId) p[which === 'STOP' ? 'stop' : 'target'] = { tag: leg.tag, brokerOrderId: result.brokerOrderId };
    else refused = true;
  }
  p.placed = true;
  if (refused && !run.protectionFill) p.retryAt = new Date(Date.now() + PLACE_RETRY_MS).toISOString();
}

/** A protective order ended at the broker without filling (expired, cancelled by hand): it protects no more. */
export function protectionLost(run: TradeRun, which: Which): void {
  const p = state(run);
  if (which === 'STOP') p.stop = undefined;
  else p.target = undefined;
  // placed again later as a new attempt (a new tag: the old one names the ended order)
  Object.assign(p, { attempt: p.attempt + 1, placed: false, retryAt: new Date(Date.now() + PLACE_RETRY_MS).toISOString() });
  wf.log.warn('a protective order ended without filling', { tradeId: run.input.tradeId, which });
}

/**
 * Apply the stop-loss and target changes asked for (PATCH /trades/{id}), in order: the resting
 * orders are modified at the broker, then the change is recorded with its old and new values. A
 * level with no order resting yet is placed by the hold as a new attempt.
 */
export async function applyChanges(run: TradeRun): Promise<void> {
  while (run.changesApplied < run.changes.length && !run.protectionFill) {
    const trail = run.trailing ? await applyTrailChange(run, run.changes[run.changesApplied]!) : undefined;
    const change = trail?.change ?? run.changes[run.changesApplied]!;
    const before = levelsOf(run);
    const after = { stopLossPaise: change.stopLossPaise ?? before.stopLossPaise, targetPaise: change.targetPaise ?? before.targetPaise };
    run.hold.levels = after;
    if (after.stopLossPaise !== before.stopLossPaise || after.targetPaise !== before.targetPaise) await moveOco(run, protectiveLeg);
    for (const resting of restingLegs(run)) {
      const stop = resting.which === 'STOP';
      if (stop ? after.stopLossPaise === before.stopLossPaise : after.targetPaise === before.targetPaise) continue;
      let result: LegResult;
      try {
        result = await chase.moveProtection(resting.leg, resting.brokerOrderId, stop ? { orderType: 'STOP_LIMIT', triggerPricePaise: after.stopLossPaise } : { orderType: 'LIMIT', limitPricePaise: after.targetPaise });
      } catch (err) {
        // refused: the order is cancelled and placed anew at the new level (below)
        wf.log.warn('the broker refused to move a protective order; replacing it', { tradeId: run.input.tradeId, tag: resting.leg.tag, error: failureMessage(err) });
        result = await cancelLeg(resting.leg, resting.brokerOrderId);
      }
      if (result.filledQuantity > 0) run.protectionFill = { which: resting.which, result };
      else if (result.status !== 'OPEN') state(run)[stop ? 'stop' : 'target'] = undefined;
    }
    const p = state(run);
    if (!p.oco && ((after.stopLossPaise !== undefined && !p.stop) || (after.targetPaise !== undefined && !p.target))) Object.assign(p, { attempt: p.attempt + 1, placed: false, retryAt: undefined });
    if (!trail) await records.recordProtectionChange(run.input.tradeId, before, after, change.requestedBy, change.requestId);
    else await records.recordProtectionChange(run.input.tradeId, withTrail(before, trail.before), withTrail(after, trail.after), change.requestedBy, change.requestId, change.reason);
    run.changesApplied++;
  }
}

/** Chase the resting stop until it is final: re-priced as a marketable limit every CHASE_INTERVAL. */
async function chaseStop(run: TradeRun, stop: RestingLeg, exit: ExitRequest): Promise<LegResult> {
  for (;;) {
    // the tick's time goes with the first chase only (activity input: no command changes)
    const leg = exit.triggered ? { ...stop.leg, triggered: exit.triggered } : stop.leg;
    exit.triggered = undefined;
    const result = await chase.chaseStop(leg, stop.brokerOrderId);
    if (result.status !== 'OPEN') return result;
    await wf.sleep(CHASE_INTERVAL);
  }
}

/**
 * Before any exit: settle the resting legs. A stop the price went through is chased; the others
 * are cancelled (a cancel may answer FILLED when the fill won the race). A protective fill closes
 * the trade here, with its own reason (true); otherwise the exit goes on for what is still held.
 */
export async function closeProtected(run: TradeRun, exit: ExitRequest): Promise<boolean> {
  // an OCO held by the broker is cancelled first; a leg it triggered meanwhile is settled below
  await cancelOco(run, protectiveLeg);
  const p = state(run);
  if (!run.protectionFill && !p.stop && !p.target) return false;
  const { tradeId, accountId } = run.input;
  setStatus(run, await records.markExiting(tradeId, run.protectionFill ? REASON[run.protectionFill.which] : exit.reason, exit.requestedBy, exit.requestId));
  const ended: { which: Which; result: LegResult }[] = run.protectionFill ? [run.protectionFill] : [];
  for (const resting of restingLegs(run)) {
    if (run.protectionFill?.which === resting.which) continue;
    const chased = resting.which === 'STOP' && run.chaseStop && !run.protectionFill;
    // the target is cancelled only once the chased stop has filled (or ended)
    ended.push({ which: resting.which, result: chased ? await chaseStop(run, resting, exit) : await cancelLeg(resting.leg, resting.brokerOrderId) });
  }
  run.chaseStop = false;
  run.protectionFill = undefined;
  // a new attempt (new tags) protects what is left should the exit not close the trade
  run.hold.protection = { attempt: p.attempt + 1, placed: false, ...(p.ocoIds ? { ocoIds: p.ocoIds } : {}), ...(p.ocoUnsupported ? { ocoUnsupported: true } : {}) };
  const fills = ended.filter((e) => e.result.filledQuantity > 0);
  if (fills.length > 1) wf.log.error('both protective orders filled before one could cancel the other; the account holds the surplus', { tradeId, tags: fills.map((f) => f.result.tag) });
  const fill = fills[0];
  if (!fill) return false;
  if (fill.result.filledQuantity < held(run)) {
    const part = await records.recordPartialExit(tradeId, fill.result);
    run.hold.exitedQuantity = part.exitedQuantity;
    return false; // the exit sends the rest
  }
  const closed = await records.recordExitFill(tradeId, { ...fill.result, status: 'FILLED' }, REASON[fill.which]);
  setStatus(run, closed.status);
  await circuitBreaker.reportTradeClosed(accountId, { tradeId, realizedPnlPaise: closed.realizedPnlPaise, dayLossPaise: closed.dayLossPaise, dailyLossLimitPaise: closed.dailyLossLimitPaise });
  return true;
}
