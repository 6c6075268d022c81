/**
 * Protection held by the broker as one OCO order (the broker-oco patch): where the broker can
 * (Breeze's GTT OCO, F&O only: docs/breeze-api.md#gtt-orders), a trade with both a stop-loss and a
 * target places one OCO instead of a stop and a target it keeps one-cancels-other itself. The
 * broker then cancels the other leg when one triggers, whether or not a worker runs, so both can
 * never fill. Once a leg triggered, the order the broker placed for it is adopted as that resting
 * leg (protection.ts watches, chases and cancels it like its own). Elsewhere, or when the broker
 * refuses the OCO, the trade falls back to its own pair.
 *
 * @module
 */
import * as wf from '@temporalio/workflow';
import type { Activities } from '../../activities/index.ts';
import type { LegInput } from '../../activities/orders.ts';
import type { OcoState } from '../../activities/protection-oco.ts';
import { failureMessage } from '../failures.ts';
import type { ProtectionState } from '../messages.ts';
import { reportBrokerFailure } from './activities.ts';
import { levelsOf, type TradeRun } from './run.ts';

/** The OCO's state is read again this often while its triggered leg's order cannot be named yet. */
const NAME_LOOKS = 6;
const NAME_INTERVAL = '5 seconds';

const oco = wf.proxyActivities<Pick<Activities, 'placeProtectionOco' | 'moveProtectionOco' | 'cancelProtectionOco' | 'recordOcoLeg'>>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '30 seconds' },
});

/** The protective leg of this attempt (protection.ts `protectiveLeg`), passed in to keep the imports one-way. */
type Legs = (run: TradeRun, which: 'STOP' | 'TARGET') => LegInput;

function state(run: TradeRun): ProtectionState {
  return (run.hold.protection ??= { attempt: 1, placed: false });
}

/** An OCO rests at the broker, neither leg triggered yet. */
export function ocoResting(run: TradeRun): boolean {
  return state(run).oco !== undefined;
}

/** This attempt's protection is to be an OCO: the patch, both levels, nothing resting, and the broker not known to lack it. */
function ocoWanted(run: TradeRun): boolean {
  const p = state(run);
  const { stopLossPaise, targetPaise } = levelsOf(run);
  return run.brokerOco && stopLossPaise !== undefined && targetPaise !== undefined && !p.stop && !p.target && !p.oco && !p.ocoUnsupported;
}

/** A leg triggered: the order the broker placed for it is recorded, and rests as that protective leg. */
async function adopt(run: TradeRun, legs: Legs, s: OcoState): Promise<void> {
  const p = state(run);
  p.oco = undefined;
  const which = s.triggered?.which;
  if (!which || !s.triggered?.brokerOrderId || !s.ocoId) return;
  const leg = legs(run, which);
  await oco.recordOcoLeg(leg, s.triggered.brokerOrderId, s.ocoId);
  p[which === 'STOP' ? 'stop' : 'target'] = { tag: leg.tag, brokerOrderId: s.triggered.brokerOrderId };
}

/** Place this attempt's protection as an OCO when wanted; false when the trade is to place its own pair instead. */
export async function placeOco(run: TradeRun, legs: Legs): Promise<boolean> {
  if (!ocoWanted(run)) return false;
  const p = state(run);
  let placed: OcoState;
  try {
    placed = await oco.placeProtectionOco(legs(run, 'STOP'), legs(run, 'TARGET'), p.ocoIds ?? []);
  } catch (err) {
    await reportBrokerFailure(run, err);
    wf.log.warn('the broker OCO could not be placed; placing a stop and a target instead', { tradeId: run.input.tradeId, error: failureMessage(err) });
    return false;
  }
  if (placed.status === 'UNSUPPORTED') p.ocoUnsupported = true;
  if (placed.status === 'REFUSED') wf.log.warn('the broker refused the OCO; placing a stop and a target instead', { tradeId: run.input.tradeId, reason: placed.reason });
  if (!placed.ocoId || (placed.status !== 'ACTIVE' && placed.status !== 'TRIGGERED')) return false;
  p.ocoIds = [...(p.ocoIds ?? []), placed.ocoId];
  p.placed = true;
  if (placed.status === 'ACTIVE') p.oco = { ocoId: placed.ocoId };
  else await adopt(run, legs, placed);
  return true;
}

/** What the OCO watch saw: a triggered leg is adopted; an OCO ended without triggering protects no more (placed anew later). */
export async function ocoSeen(run: TradeRun, legs: Legs, seen: OcoState, retryMs: number): Promise<void> {
  const p = state(run);
  if (seen.status === 'TRIGGERED' && seen.triggered?.brokerOrderId) return adopt(run, legs, seen);
  if (seen.status !== 'CANCELLED' && seen.status !== 'REFUSED') return;
  wf.log.warn('the broker OCO ended without triggering', { tradeId: run.input.tradeId, ocoId: p.oco?.ocoId });
  Object.assign(p, { oco: undefined, attempt: p.attempt + 1, placed: false, retryAt: new Date(Date.now() + retryMs).toISOString() });
}

/**
 * Before an exit: cancel the OCO. One whose leg triggered meanwhile leaves that leg's order resting
 * (adopted), which the exit then settles (chased when the price went through the stop).
 */
export async function cancelOco(run: TradeRun, legs: Legs): Promise<void> {
  const p = state(run);
  const ocoId = p.oco?.ocoId;
  if (!ocoId) return;
  for (let look = 1; ; look++) {
    const s = await oco.cancelProtectionOco(legs(run, 'STOP'), ocoId);
    if (s.status !== 'TRIGGERED' || s.triggered?.brokerOrderId || look >= NAME_LOOKS) {
      if (s.status === 'TRIGGERED' && !s.triggered?.brokerOrderId) wf.log.error('an OCO leg triggered but its order could not be found; check the broker for it', { tradeId: run.input.tradeId, ocoId });
      return adopt(run, legs, s);
    }
    await wf.sleep(NAME_INTERVAL);
  }
}

/** Move the OCO's legs to the levels in force; refused: cancelled (a leg that triggered is adopted) and placed anew by the hold. */
export async function moveOco(run: TradeRun, legs: Legs): Promise<void> {
  const p = state(run);
  const ocoId = p.oco?.ocoId;
  if (!ocoId) return;
  let moved: OcoState;
  try {
    moved = await oco.moveProtectionOco(legs(run, 'STOP'), legs(run, 'TARGET'), ocoId);
  } catch (err) {
    wf.log.warn('the broker refused to move the OCO; replacing it', { tradeId: run.input.tradeId, ocoId, error: failureMessage(err) });
    await cancelOco(run, legs);
    if (!p.stop && !p.target) Object.assign(p, { attempt: p.attempt + 1, placed: false, retryAt: undefined });
    return;
  }
  if (moved.status === 'TRIGGERED') await adopt(run, legs, moved);
  else if (moved.status !== 'ACTIVE') Object.assign(p, { oco: undefined, attempt: p.attempt + 1, placed: false, retryAt: undefined });
}
