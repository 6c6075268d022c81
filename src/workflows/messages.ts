/**
 * Messages of the trade and circuit-breaker workflows, and the shapes they carry. The API and the
 * workflows import the same definitions, so both sides agree on names and payloads.
 *
 * @module
 */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { BrokerFailure, PriceCrossed, TradeClosed } from '../activities/ports.ts';
import type { ReserveInput } from '../activities/risk.ts';
import type { Actor } from '../audit/events.ts';
import type { Violation } from '../domain/risk/rules.ts';
import type { ExitReason, TradeStatus, TrailingStop } from '../domain/trade.ts';

// ---- trade workflow ----

/**
 * The trade's workflow task timeout, set when it starts (src/temporal/trades.ts): long enough that
 * its first task can reserve the risk and place the entry itself (trade/legs.ts `placeEntryInTask`)
 * and still have stopped sending well before another worker may take the task over.
 */
export const TRADE_TASK_TIMEOUT_MS = 30_000;

/** The trade's request and who made it (what the risk reservation is given), plus what only the workflow uses. */
export interface TradeWorkflowInput extends ReserveInput {
  /** How long the entry update waits for an outcome before answering PENDING. */
  ackWaitMs: number;
  /** Set when the workflow continued as new while holding an open position. */
  resume?: HoldState | undefined;
  /**
   * When the API accepted the trade (ISO; absent in workflows started before it was sent): handed
   * to the entry leg for `trade_entry_to_broker_seconds` (src/observability/trade-latency.ts).
   */
  acceptedAt?: string | undefined;
}

/** What a continued run needs to keep holding (and then exit) an open position. */
export interface HoldState {
  entryPricePaise: number;
  filledQuantity: number;
  /** Of the filled quantity, what partial exits closed already. */
  exitedQuantity?: number | undefined;
  squareOffAt?: string | undefined;
  exitAttempt: number;
  pendingExit?: ExitRequest | undefined;
  /** The protective orders resting at the broker (the resting-stops patch, trade/protection.ts). */
  protection?: ProtectionState | undefined;
  /** The stop-loss and target as last changed (PATCH /trades/{id}); the request's until then. */
  levels?: ProtectionLevels | undefined;
  /** The largest quantity one order may carry (the freeze-slices patch, trade/slices.ts); no limit when absent. */
  maxSlice?: number | undefined;
  /** The trailing stop in force (the trailing-stops patch, trade/trailing.ts); null once cleared. */
  trail?: TrailState | null | undefined;
}

export interface TrailState {
  stop: TrailingStop;
  /** The best price seen since the trail started (the high of a long, the low of a short). */
  extremePaise: number;
  tickPaise: number;
  /** When the trail last moved the stop (ISO): it moves the broker's order at most every few seconds. */
  movedAt?: string | undefined;
}

export interface ProtectionLevels {
  stopLossPaise?: number | undefined;
  targetPaise?: number | undefined;
}

/** A new stop-loss or target for an open trade (each left as it is when absent). */
export interface ProtectionChange extends ProtectionLevels {
  requestedBy: Actor;
  requestId?: string | undefined;
  /** A new trailing distance (null clears it); absent leaves it as it is. */
  trailingStop?: TrailingStop | null | undefined;
  /** The last price the API checked the change against: where a new trail starts from. */
  referencePricePaise?: number | undefined;
  /** Set when the trade's own trailing stop asks for the change. */
  reason?: 'trailing' | undefined;
}

/** A protective order resting at the broker: its tag and the broker's id for it. */
export interface RestingRef {
  tag: string;
  brokerOrderId: string;
}

export interface ProtectionState {
  /** The attempt number in the protective legs' tags (S1/T1, then S2/T2 once an exit did not fill...). */
  attempt: number;
  stop?: RestingRef | undefined;
  target?: RestingRef | undefined;
  /** True once this attempt's legs were sent (resting, filled or refused). */
  placed: boolean;
  /** After a refused placement, when to try again (ISO). */
  retryAt?: string | undefined;
  /** The broker-oco patch: stop and target held by the broker as one OCO order, until a leg triggers (trade/protection-oco.ts). */
  oco?: { ocoId: string } | undefined;
  /** Every OCO this trade placed (a lost placement is found again among the others). */
  ocoIds?: string[] | undefined;
  /** The broker holds no OCO for this instrument: the trade keeps a stop and a target of its own. */
  ocoUnsupported?: boolean | undefined;
}

export interface TradeSummary {
  tradeId: string;
  status: TradeStatus;
  violations?: Violation[] | undefined;
  /** True when this entry request joined a trade an earlier request started. */
  replayed: boolean;
  requestFingerprint: string;
}

export interface ExitRequest {
  reason: ExitReason;
  requestedBy: Actor;
  requestId?: string | undefined;
  /** A stop-loss or target seen by the price watcher: when its tick arrived, for `tick_to_exit_order_seconds`. */
  triggered?: { at: string; reason: 'STOP_LOSS' | 'TARGET' } | undefined;
}

/** Sent by POST /trades (update-with-start): answers once the entry is decided, or PENDING after the wait. */
export const submitEntry = defineUpdate<TradeSummary, [{ requestId?: string | undefined }]>('submitEntry');
/** Ask an open trade to exit; a pending one cancels its entry (and exits at once should the entry fill first). */
export const requestExit = defineUpdate<TradeSummary, [ExitRequest]>('requestExit');
/** Cancel a working entry order. */
/** Change the stop-loss or target of an open trade; answers once the resting orders are moved. */
export const changeProtection = defineUpdate<TradeSummary, [ProtectionChange]>('changeProtection');

export const cancelEntry = defineUpdate<TradeSummary, [{ requestedBy: Actor; requestId?: string | undefined }]>('cancelEntry');
export const tradeSummary = defineQuery<TradeSummary>('tradeSummary');
/** From the exit book (activities/exit-book.ts): a price crossed the held trade's stop-loss or target. */
export const priceCrossed = defineSignal<[PriceCrossed]>('priceCrossed');
/** From the exit book: one of the held trade's resting protective orders changed at the broker. */
export const protectionChanged = defineSignal('protectionChanged');

// ---- circuit breaker workflow ----

export type TradingState = 'ACTIVE' | 'REDUCING' | 'HALTED';

export interface BreakerState {
  accountId: string;
  tradingState: TradingState;
  reason?: string | undefined;
  since: string;
  /** Resume is refused before this time (minimum hold, loss cool-down). */
  resumeNotBefore?: string | undefined;
  /** Recent broker failures (ISO times), for the failure-rate trip. */
  brokerFailures: string[];
  consecutiveLosses: number;
}

export interface BreakerSettings {
  brokerFailureThreshold: number;
  brokerFailureWindowMs: number;
  lossStreakThreshold: number;
  lossCooldownMs: number;
}

export interface BreakerInput {
  accountId: string;
  settings: BreakerSettings;
  state?: BreakerState | undefined;
}

export interface HaltRequest {
  reason: string;
  flatten: boolean;
  requestedBy: Actor;
  /** HALTED may not be resumed for this long. */
  minimumHoldMs?: number | undefined;
  requestId?: string | undefined;
}

export interface ResumeRequest {
  requestedBy: Actor;
  requestId?: string | undefined;
}

export const halt = defineUpdate<BreakerState, [HaltRequest]>('halt');
export const resume = defineUpdate<BreakerState, [ResumeRequest]>('resume');
/** Reduce to exits; with `flatten`, also close every position (the daily-loss guard's trip). */
export const reduce = defineUpdate<BreakerState, [{ reason: string; requestedBy: Actor; flatten?: boolean | undefined }]>('reduce');
export const tradeClosed = defineSignal<[TradeClosed]>('tradeClosed');
export const brokerFailed = defineSignal<[BrokerFailure]>('brokerFailed');
export const breakerState = defineQuery<BreakerState>('breakerState');

export function circuitBreakerWorkflowId(accountId: string): string {
  return `circuit-breaker-${accountId}`;
}

// ---- daily-loss guard workflow ----

export interface DailyLossGuardInput {
  accountId: string;
  /** How long one guardDailyLoss activity watches before the workflow calls it again. */
  windowMs: number;
}

/** An entry was accepted: a position may open, so a guard about to end keeps watching. */
export const positionMayOpen = defineSignal('positionMayOpen');

export function dailyLossGuardWorkflowId(accountId: string): string {
  return `daily-loss-guard-${accountId}`;
}
