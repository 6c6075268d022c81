/**
 * The trading worker, wired the same way in production and in tests: workflows from the bundle,
 * activities from their factory, AppErrors mapped to ApplicationFailures at the activity edge.
 *
 * @module
 */
import { fileURLToPath } from 'node:url';
import type { Client } from '@temporalio/client';
import { type NativeConnection, Worker } from '@temporalio/worker';
import { createActivities } from '../activities/index.ts';
import { AppErrorInterceptor } from '../activities/failure.ts';
import type { AuditLog } from '../audit/append.ts';
import type { PriceFeed } from '../broker/price-feed.ts';
import type { Broker } from '../broker/types.ts';
import type { Config } from '../config.ts';
import type { Sql } from '../db/pool.ts';
import type { BrokerMetrics } from '../observability/broker-metrics.ts';
import type { Logger } from '../config/logger.ts';
import { circuitBreakerPort } from '../temporal/circuit-breaker.ts';
import { tradesPort } from '../temporal/trades.ts';

export const WORKFLOWS_PATH = fileURLToPath(new URL('../workflows/index.ts', import.meta.url));

export interface WorkerDeps {
  config: Config;
  log: Logger;
  sql: Sql;
  connection: NativeConnection;
  client: Client;
  broker: Broker;
  audit: AuditLog;
  /**
   * The worker's price feed. Without one the daily-loss guard sees every price as missing and
   * values positions from the price table and rationed REST quotes.
   */
  prices?: PriceFeed | undefined;
  /** A prebuilt bundle's code; otherwise the workflows are bundled now. */
  workflowBundleCode?: string | undefined;
  taskQueue?: string | undefined;
  /** Broker calls are timed and counted here. */
  brokerMetrics?: BrokerMetrics | undefined;
}

/** A feed that never has a price: the daily-loss guard then falls back to quotes. */
const NO_PRICE_FEED: PriceFeed = { watch: () => () => undefined, latest: () => undefined, close: () => Promise.resolve() };

export async function createTradingWorker(deps: WorkerDeps): Promise<Worker> {
  const { config } = deps;
  const activities = createActivities({ config, sql: deps.sql, broker: deps.broker, audit: deps.audit, log: deps.log, prices: deps.prices ?? NO_PRICE_FEED, temporal: deps.client, breaker: circuitBreakerPort(deps.client, config), trades: tradesPort(deps.client), brokerMetrics: deps.brokerMetrics });
  return Worker.create({
    connection: deps.connection,
    namespace: config.temporal.TEMPORAL_NAMESPACE,
    taskQueue: deps.taskQueue ?? config.temporal.TEMPORAL_TASK_QUEUE,
    ...(deps.workflowBundleCode ? { workflowBundle: { code: deps.workflowBundleCode } } : { workflowsPath: WORKFLOWS_PATH }),
    activities,
    interceptors: { activity: [() => ({ inbound: new AppErrorInterceptor() })] },
    maxConcurrentActivityTaskExecutions: config.worker.WORKER_MAX_CONCURRENT_ACTIVITIES,
    maxConcurrentLocalActivityExecutions: config.worker.WORKER_MAX_CONCURRENT_ACTIVITIES,
    maxConcurrentWorkflowTaskExecutions: config.worker.WORKER_MAX_CONCURRENT_WORKFLOW_TASKS,
    maxCachedWorkflows: config.worker.WORKER_MAX_CACHED_WORKFLOWS,
    shutdownGraceTime: `${config.worker.WORKER_SHUTDOWN_GRACE_S} seconds`,
  });
}
