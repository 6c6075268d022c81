/**
 * The state of one trade workflow run, which the phases (entry, hold, exit) and the message
 * handlers share, and the small rules that read or change it.
 *
 * @module
 */
import * as wf from '@temporalio/workflow';
import type { LegInput, LegResult } from '../../activities/orders.ts';
import type { PriceCrossed } from '../../activities/ports.ts';
import type { Actor } from '../../audit/events.ts';
import type { Violation } from '../../domain/risk/rules.ts';
import { closingSide, type TradeStatus } from '../../domain/trade.ts';
import type { ExitRequest, HoldState, ProtectionChange, ProtectionLevels, TradeSummary, TradeWorkflowInput } from '../messages.ts';
import { TRADE_ACCOUNT, TRADE_STATUS } from '../search-attributes.ts';

/** The trade workflow's signature, for continue-as-new. */
export type TradeWorkflow = (input: TradeWorkflowInput) => Promise<TradeSummary>;

export interface TradeRun {
  readonly input: TradeWorkflowInput;
  /** The legs-survive-broker-faults patch applies (see trade.ts); false only when replaying older histories. */
  readonly hardened: boolean;
  /** The resting-stops patch applies (see protection.ts): protective orders rest at the broker. */
  readonly resting: boolean;
  /** The trailing-stops patch applies (see trailing.ts): a trailing stop ratchets the resting stop. */
  readonly trailing: boolean;
  /** The broker-oco patch applies (see protection-oco.ts): where the broker can, it holds stop and target as one OCO order. */
  readonly brokerOco: boolean;
  /** The freeze-slices patch applies (see slices.ts): F&O legs above the freeze quantity go out as slices. */
  readonly slices: boolean;
  /** The exit-book patch applies (see book.ts): the worker's exit book watches the price, not an activity per position. */
  readonly exitBook: boolean;
  /** The order-waits-on-notices patch is known to apply (see order-watch.ts); false: ask for it there. */
  readonly waitsOnNotices: boolean;
  /** The entry-in-task patch applies (see legs.ts `placeEntryInTask`): the entry is placed within the workflow task. */
  readonly entryInTask: boolean;
  /** Workflow time of this run's first activation: the start of the workflow task it ran in (or of an earlier one). */
  readonly firstTaskAt: number;
  /** The watch booked now (book.ts), if any. */
  book: { booking: string; key: string; legsAnnounced: boolean } | undefined;
  /** How many times this run booked a watch (a booking's id counts them). */
  bookings: number;
  /** The book said the price crossed the booked levels. */
  crossed: PriceCrossed | undefined;
  /** The book said a resting protective order changed: look at them. */
  protectionNoticed: boolean;
  /** Cancelled watchers still winding down; the run waits for them before it ends (no activity is left behind). */
  readonly lingering: Promise<unknown>[];
  /** A protective order that filled at the broker: the trade closes from its fill. */
  protectionFill: { which: 'STOP' | 'TARGET'; result: LegResult } | undefined;
  /** Stop-loss and target changes asked for and not yet applied (applied by the hold, in order). */
  readonly changes: ProtectionChange[];
  /** How many changes were applied (their updates answer then). */
  changesApplied: number;
  /** The price went through the stop-loss while its order rests: chase it instead of sending an exit. */
  chaseStop: boolean;
  /** Who the trade's automatic exits are requested by. */
  readonly self: Actor;
  status: TradeStatus;
  violations: Violation[] | undefined;
  /** The entry's outcome is known (the submitEntry update answers then). */
  entryDecided: boolean;
  entrySubmissions: number;
  cancelRequested: boolean;
  pendingExit: ExitRequest | undefined;
  /** The position: its entry fill, what partial exits closed, the square-off time, the exit attempt. */
  readonly hold: HoldState;
}

/** Which patches apply to a run (trade.ts). */
export type RunPatches = Pick<TradeRun, 'hardened' | 'resting' | 'trailing' | 'brokerOco' | 'slices' | 'exitBook' | 'waitsOnNotices' | 'entryInTask'>;

/** A fresh run, or the continuation of one that held an open position. */
export function startRun(input: TradeWorkflowInput, patches: RunPatches): TradeRun {
  return {
    input,
    ...patches,
    firstTaskAt: Date.now(),
    book: undefined,
    bookings: 0,
    crossed: undefined,
    protectionNoticed: false,
    lingering: [],
    protectionFill: undefined,
    chaseStop: false,
    changes: [],
    changesApplied: 0,
    self: { type: 'workflow', id: wf.workflowInfo().workflowId },
    status: input.resume ? 'OPEN' : 'PENDING',
    violations: undefined,
    entryDecided: input.resume !== undefined,
    entrySubmissions: 0,
    cancelRequested: false,
    pendingExit: input.resume?.pendingExit,
    hold: input.resume ?? { entryPricePaise: 0, filledQuantity: 0, exitAttempt: 1 },
  };
}

export function summaryOf(run: TradeRun, replayed = false): TradeSummary {
  return { tradeId: run.input.tradeId, status: run.status, violations: run.violations, replayed, requestFingerprint: run.input.requestFingerprint };
}

/** True when the starter registered our search attributes (not on the time-skipping test server). */
export function searchable(): boolean {
  return wf.workflowInfo().typedSearchAttributes.get(TRADE_ACCOUNT) !== undefined;
}

export function setStatus(run: TradeRun, next: TradeStatus): void {
  run.status = next;
  if (searchable()) wf.upsertSearchAttributes([{ key: TRADE_STATUS, value: next }]);
}

/** The entry's outcome: the status, and the submitEntry update may answer. */
export function decide(run: TradeRun, next: TradeStatus): void {
  setStatus(run, next);
  run.entryDecided = true;
}

/** The stop-loss and target in force: the request's, or as last changed. */
export function levelsOf(run: TradeRun): ProtectionLevels {
  return run.hold.levels ?? { stopLossPaise: run.input.request.stopLossPaise, targetPaise: run.input.request.targetPaise };
}

/** What the position still holds: its entry fill, less what partial exits closed. */
export function held(run: TradeRun): number {
  return run.hold.filledQuantity - (run.hold.exitedQuantity ?? 0);
}

/** The broker order of a leg; its tag (trade id, E or X, attempt) makes sending it idempotent. */
export function legOf(run: TradeRun, kind: 'ENTRY' | 'EXIT', attempt: number): LegInput {
  const { tradeId, accountId, request } = run.input;
  return {
    tradeId,
    accountId,
    tag: `${tradeId}${kind === 'ENTRY' ? 'E' : 'X'}${attempt}`,
    leg: kind,
    instrument: request.instrument,
    side: kind === 'ENTRY' ? request.side : closingSide(request.side),
    quantity: kind === 'ENTRY' ? request.quantity : run.hardened ? held(run) : run.hold.filledQuantity,
    orderType: kind === 'ENTRY' ? request.orderType : 'MARKET',
    limitPricePaise: kind === 'ENTRY' ? request.limitPricePaise : undefined,
    strategyId: request.strategyId,
    // activity input only (no command changes): histories from before it replay unchanged
    ...(kind === 'ENTRY' && run.input.acceptedAt ? { acceptedAt: run.input.acceptedAt } : {}),
  };
}
