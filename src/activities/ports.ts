/**
 * What activities ask of other workflows, as ports: activities sit below the Temporal client code,
 * which implements these (src/temporal/circuit-breaker.ts, src/temporal/trades.ts) and which the
 * worker injects into the activities' dependencies.
 *
 * @module
 */
import type { Actor } from '../audit/events.ts';
import type { ExitTrigger } from '../domain/exit-triggers.ts';
import type { Paise } from '../domain/money.ts';
import type { ExitReason, TradeRequest, TradeStatus } from '../domain/trade.ts';

/** A trade to start as POST /trades starts one: what a basket's leg gives (the trade workflow's input adds to it: risk.ts ReserveInput). */
export interface TradeStart {
  tradeId: string;
  accountId: string;
  request: TradeRequest;
  requestFingerprint: string;
  requestedBy: Actor;
  clientIp?: string | undefined;
  requestId?: string | undefined;
  source: 'api' | 'webhook';
  /** The trade is a leg of this basket, whose reservation (baskets.ts) already judged and reserved it. */
  basketId?: string | undefined;
}

/** A trade closed: the circuit breaker counts losing streaks and the day's loss from these. */
export interface TradeClosed {
  tradeId: string;
  realizedPnlPaise: number;
  dayLossPaise: number;
  dailyLossLimitPaise: number;
}

/** A broker call failed: the circuit breaker's failure-rate trip counts these. */
export interface BrokerFailure {
  tradeId: string;
  code: string;
  at: string;
}

/** The account's circuit breaker (started first when it does not run). */
export interface CircuitBreakerPort {
  /**
   * Reduce trading to exits; moves only from ACTIVE, so asking again changes nothing. With
   * `flatten`, the breaker also closes every position (as a halt with flatten does).
   */
  reduce(accountId: string, reason: string, requestedBy: Actor, flatten?: boolean): Promise<void>;
  /** Make sure the account's daily-loss guard runs (an entry was accepted: a position may open). */
  guardDailyLoss(accountId: string): Promise<void>;
  tradeClosed(accountId: string, closed: TradeClosed): Promise<void>;
  brokerFailed(accountId: string, failure: BrokerFailure): Promise<void>;
}

/** Running trade workflows, by workflow id: the updates the circuit breaker's activities send them. */
export interface TradesPort {
  cancelEntry(workflowId: string, requestedBy: Actor): Promise<void>;
  requestExit(workflowId: string, reason: ExitReason, requestedBy: Actor): Promise<void>;
  /**
   * Start a trade (or join it) as POST /trades does, and wait up to `ackWaitMs` for its entry
   * outcome (a basket's legs, src/workflows/basket.ts): its status then, or undefined when the
   * trade had already finished.
   */
  startTrade(input: TradeStart, ackWaitMs: number): Promise<TradeStatus | undefined>;
  /** Tell a held trade a price crossed its stop-loss or target (the exit book): 'gone' when no such trade runs. */
  priceCrossed(workflowId: string, crossed: PriceCrossed): Promise<'told' | 'gone'>;
  /** Tell a held trade one of its resting protective orders changed at the broker: 'gone' when no such trade runs. */
  protectionChanged(workflowId: string): Promise<'told' | 'gone'>;
}

/** A price that crossed a booked position's stop-loss or target (exit-book.ts). */
export interface PriceCrossed {
  trigger: ExitTrigger;
  /** When the tick that crossed reached the worker (ISO): where `tick_to_exit_order_seconds` starts. */
  triggeredAt: string;
  lastPricePaise: Paise;
  /** The booking it was decided for (exit_watches.booking): a trade that booked again since ignores it. */
  booking: string;
}
