/**
 * Trailing stops (the trailing-stops patch): the stop-loss follows the best price since entry at
 * the trade's distance and only ever tightens (domain/trailing-stop.ts). The price watcher keeps
 * the best price and reports when the stop should move by at least a tick, no sooner than
 * RATCHET_EVERY_MS after the last move; the move is a protection change like PATCH's (the resting
 * stop is modified at the broker, the trade's stop-loss updated, TRADE_PROTECTION_CHANGED recorded
 * with reason 'trailing'). Moving the broker order at most every few seconds keeps both the
 * broker's order budget and the workflow's history bounded.
 *
 * @module
 */
import type { TrailInput } from '../../activities/exit-triggers.ts';
import { betterExtreme, trailedStop } from '../../domain/trailing-stop.ts';
import type { TrailingStop } from '../../domain/trade.ts';
import type { ProtectionChange, ProtectionLevels, TrailState } from '../messages.ts';
import { records } from './activities.ts';
import { levelsOf, type TradeRun } from './run.ts';

/** The resting stop is moved at most this often. */
const RATCHET_EVERY_MS = 5_000;

/**
 * Once the position is open: start the trail the request asked for (with the instrument's tick);
 * with no stop-loss asked for, the first stop is the distance from the entry fill, recorded as a
 * change with reason 'trailing'.
 */
export async function startTrailing(run: TradeRun): Promise<void> {
  const { request, tradeId } = run.input;
  if (!run.trailing || !run.resting || run.hold.trail !== undefined || !request.trailingStop) return;
  const tickPaise = await records.instrumentTick(request.instrument);
  const trail: TrailState = { stop: request.trailingStop, extremePaise: run.hold.entryPricePaise, tickPaise };
  run.hold.trail = trail;
  const before = levelsOf(run);
  if (before.stopLossPaise !== undefined) return;
  const after = { ...before, stopLossPaise: trailedStop(request.side, undefined, trail.stop, trail.extremePaise, tickPaise) };
  run.hold.levels = after;
  await records.recordProtectionChange(tradeId, { ...before, trailingStop: trail.stop }, { ...after, trailingStop: trail.stop }, run.self, undefined, 'trailing');
}

/** What the price watcher needs to follow the trail, when one is in force over a stop-loss. */
export function trailInput(run: TradeRun): TrailInput | undefined {
  const trail = run.hold.trail;
  if (!trail || levelsOf(run).stopLossPaise === undefined) return undefined;
  const holdMs = trail.movedAt ? Math.max(0, Date.parse(trail.movedAt) + RATCHET_EVERY_MS - Date.now()) : 0;
  return { stop: trail.stop, extremePaise: trail.extremePaise, tickPaise: trail.tickPaise, holdMs };
}

/** Keep the best price a watcher saw (its window ended, or it reported a move). */
export function noteExtreme(run: TradeRun, extremePaise: number | undefined): void {
  const trail = run.hold.trail;
  if (trail && extremePaise !== undefined) trail.extremePaise = betterExtreme(run.input.request.side, trail.extremePaise, extremePaise);
}

/** The trail moved the stop: queue the change (applied like PATCH's) and remember when. */
export function ratchet(run: TradeRun, stopLossPaise: number): void {
  const trail = run.hold.trail;
  if (!trail) return;
  trail.movedAt = new Date(Date.now()).toISOString();
  run.changes.push({ stopLossPaise, requestedBy: run.self, reason: 'trailing' });
}

/**
 * A change's trailing distance (PATCH): set or cleared before its levels apply. A new trail over
 * no stop-loss starts from the price the API checked the change against (else the entry fill), so
 * the change comes back with the first stop. Returns the change's levels, and the trail before
 * and after for the audit record.
 */
export async function applyTrailChange(run: TradeRun, change: ProtectionChange): Promise<{ change: ProtectionChange; before?: TrailingStop | null; after?: TrailingStop | null }> {
  const { hold, input } = run;
  const was = hold.trail ? hold.trail.stop : undefined;
  if (change.trailingStop === undefined) return { change, ...(was ? { before: was, after: was } : {}) };
  if (change.trailingStop === null) {
    hold.trail = null;
    return { change, before: was ?? null, after: null };
  }
  const tickPaise = hold.trail?.tickPaise ?? (await records.instrumentTick(input.request.instrument));
  const extremePaise = hold.trail?.extremePaise ?? change.referencePricePaise ?? hold.entryPricePaise;
  hold.trail = { stop: change.trailingStop, extremePaise, tickPaise };
  const stopLossPaise = change.stopLossPaise ?? levelsOf(run).stopLossPaise ?? trailedStop(input.request.side, undefined, change.trailingStop, extremePaise, tickPaise);
  return { change: { ...change, stopLossPaise }, before: was ?? null, after: change.trailingStop };
}

/** Levels for the audit record, with the trailing distance when the trade has (or had) one. */
export function withTrail(levels: ProtectionLevels, trail: TrailingStop | null | undefined): ProtectionLevels & { trailingStop?: TrailingStop | null } {
  return trail === undefined ? levels : { ...levels, trailingStop: trail };
}
