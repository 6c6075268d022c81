/**
 * What every activity gets, and the workflow it runs for (when it runs inside Temporal).
 *
 * @module
 */
import { Context } from '@temporalio/activity';
import type { Client } from '@temporalio/client';
import type { AuditLog } from '../audit/append.ts';
import type { OrderNotices } from '../broker/order-notices.ts';
import type { PriceFeed } from '../broker/price-feed.ts';
import type { Broker } from '../broker/types.ts';
import type { Config } from '../config.ts';
import type { Sql } from '../db/pool.ts';
import type { BrokerMetrics } from '../observability/broker-metrics.ts';
import type { Logger } from '../config/logger.ts';
import type { CallBudget } from '../domain/quote-budget.ts';
import type { CircuitBreakerPort, TradesPort } from './ports.ts';

export interface ActivityDeps {
  config: Config;
  sql: Sql;
  broker: Broker;
  /** The worker's one price feed: stop-loss and target watchers and the daily-loss guard share it. */
  prices: PriceFeed;
  /** The broker's order notifications, when it streams them: an order waiter wakes on its order's. */
  orderNotices?: OrderNotices | undefined;
  /**
   * The paper exchange's order changes (NOTIFY from its own tables, none missed while listening):
   * a resting stop or target is looked at when it changed, not polled. Not `orderNotices`, whose
   * waits are rationed for a broker's call budget.
   */
  paperOrderChanges?: OrderNotices | undefined;
  audit: AuditLog;
  log: Logger;
  /** For the monitoring snapshot the alert evaluation reads (workers polling the task queue). */
  temporal: Client;
  /** The account's circuit breaker, as trades and expired broker sessions report to it. */
  breaker: CircuitBreakerPort;
  /** Running trades, as the circuit breaker cancels their entries and flattens them. */
  trades: TradesPort;
  /** Broker calls are timed and counted here (the activities see an instrumented broker). */
  brokerMetrics?: BrokerMetrics | undefined;
  now?: () => Date;
}

/** The calling workflow's ids, or empty outside Temporal (direct calls in tests). */
export function callingWorkflow(): { workflowId?: string; runId?: string } {
  try {
    const { workflowExecution } = Context.current().info;
    return workflowExecution ? { workflowId: workflowExecution.workflowId, runId: workflowExecution.runId } : {};
  } catch {
    return {};
  }
}

/** When Temporal gives up on this attempt (epoch ms); `undefined` outside Temporal. */
export function attemptDeadline(): number | undefined {
  try {
    const { currentAttemptScheduledTimestampMs, startToCloseTimeoutMs } = Context.current().info;
    return startToCloseTimeoutMs ? currentAttemptScheduledTimestampMs + startToCloseTimeoutMs : undefined;
  } catch {
    return undefined;
  }
}

/** When each running activity last handed a heartbeat to the SDK (dropped with its context). */
const lastBeat = new WeakMap<Context, number>();

/**
 * Heartbeat when running inside Temporal; a no-op otherwise. At most one per third of the
 * activity's heartbeat timeout reaches the SDK: the watchers call this every second or two, and
 * with 10,000 held positions (bench/positions.ts) those calls into the native core were a
 * measurable share of an idle worker's CPU, while the SDK sends at most one per 80% of the
 * timeout to the server anyway. A third keeps two more chances inside every timeout.
 */
export function heartbeat(details?: unknown): void {
  let context: Context;
  try {
    context = Context.current();
  } catch {
    return; // not in an activity context
  }
  const timeoutMs = context.info.heartbeatTimeoutMs;
  const now = Date.now();
  const last = lastBeat.get(context);
  if (timeoutMs && last !== undefined && now - last < timeoutMs / 3) return;
  lastBeat.set(context, now);
  context.heartbeat(details);
}

/** Resolves when Temporal cancels the activity (never outside Temporal). */
export function cancelled(): Promise<never> {
  try {
    return Context.current().cancelled;
  } catch {
    return new Promise<never>(() => {});
  }
}

/** Wait `ms`, or until Temporal cancels the activity (then it rejects, as `cancelled()` does). */
export function pause(ms: number): Promise<void> {
  return Promise.race([new Promise<void>((r) => setTimeout(r, ms)), cancelled()]);
}

/** The broker's call budget as the settings state it (domain/quote-budget.ts divides it up). */
export function callBudget(deps: ActivityDeps): CallBudget {
  const { broker } = deps.config;
  return {
    callsPerMinute: broker.BROKER_CALLS_PER_MINUTE,
    callsPerDay: broker.BROKER_CALLS_PER_DAY,
    orderReservePerMinute: broker.BROKER_ORDER_RESERVE_PER_MINUTE,
    orderReservePerDay: broker.BROKER_ORDER_RESERVE_PER_DAY,
  };
}
