/**
 * All activities, built once per worker from their dependencies (the samples' createActivities).
 * Workflows import only the type of the result.
 *
 * @module
 */
import { instrumentBroker } from '../observability/broker-metrics.ts';
import { alertActivities } from './alerts.ts';
import { backupActivities } from './backup.ts';
import { basketLegActivities } from './basket-legs.ts';
import { basketReserveActivities } from './baskets.ts';
import type { ActivityDeps } from './context.ts';
import { dailyLossActivities } from './daily-loss.ts';
import { dailyReportActivities } from './daily-report.ts';
import { exitBookActivities } from './exit-book-activities.ts';
import { exitTriggerActivities } from './exit-triggers.ts';
import { orderActivities } from './orders.ts';
import { protectionActivities } from './protection.ts';
import { protectionOcoActivities } from './protection-oco.ts';
import { reconciliationActivities } from './reconciliation.ts';
import { retentionActivities } from './retention.ts';
import { riskActivities } from './risk.ts';
import { tradeRecordActivities } from './trade-records.ts';
import { tradingStateActivities } from './trading-state.ts';
import { trailingActivities } from './trailing.ts';
import { tradingViewActivities } from './tradingview.ts';

const instrumented = new WeakMap<ActivityDeps, ActivityDeps>();

/**
 * The deps the worker's activities (and its exit book) run with: the broker timed and counted.
 * The same object for the same given deps, so the worker's rations and recorder are one.
 */
export function workerActivityDeps(given: ActivityDeps): ActivityDeps {
  let deps = instrumented.get(given);
  if (!deps) {
    deps = given.brokerMetrics ? { ...given, broker: instrumentBroker(given.broker, given.brokerMetrics) } : given;
    instrumented.set(given, deps);
    instrumented.set(deps, deps); // given these again, the broker is not timed and counted twice
  }
  return deps;
}

export function createActivities(given: ActivityDeps) {
  const deps = workerActivityDeps(given);
  return {
    ...riskActivities(deps),
    ...orderActivities(deps),
    ...protectionActivities(deps),
    ...protectionOcoActivities(deps),
    ...tradeRecordActivities(deps),
    ...exitTriggerActivities(deps),
    ...exitBookActivities(deps),
    ...trailingActivities(deps),
    ...tradingStateActivities(deps),
    ...dailyLossActivities(deps),
    ...alertActivities(deps),
    ...retentionActivities(deps),
    ...dailyReportActivities(deps),
    ...backupActivities(deps),
    ...reconciliationActivities(deps),
    ...basketReserveActivities(deps),
    ...basketLegActivities(deps),
    ...tradingViewActivities(deps),
  };
}

export type Activities = ReturnType<typeof createActivities>;
