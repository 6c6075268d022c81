/**
 * The trading worker, wired the same way in production and in tests: workflows from the bundle,
 * activities from their factory, AppErrors mapped to ApplicationFailures at the activity edge.
 *
 * @module
 */
import { fileURLToPath } from 'node:url';
import type { Client } from '@temporalio/client';
import { type NativeConnection, Worker } from '@temporalio/worker';
import { createActivities, workerActivityDeps } from '../activities/index.ts';
import { ordersAnnounced } from '../activities/exit-book-activities.ts';
import { AppErrorInterceptor } from '../activities/failure.ts';
import { workerPriceRecorder } from '../activities/price-recorder.ts';
import { workerQuoteRation } from '../activities/quote-ration.ts';
import type { AuditLog } from '../audit/append.ts';
import type { OrderNotices } from '../broker/order-notices.ts';
import type { PriceFeed } from '../broker/price-feed.ts';
import type { Broker } from '../broker/types.ts';
import type { Config } from '../config.ts';
import type { Sql } from '../db/pool.ts';
import type { BrokerMetrics } from '../observability/broker-metrics.ts';
import type { Logger } from '../config/logger.ts';
import { circuitBreakerPort } from '../temporal/circuit-breaker.ts';
import { tradesPort } from '../temporal/trades.ts';
import { startExitBookThread } from './exit-book-thread.ts';

export const WORKFLOWS_PATH = fileURLToPath(new URL('../workflows/index.ts', import.meta.url));

export interface WorkerDeps {
  config: Config;
  log: Logger;
  sql: Sql;
  connection: NativeConnection;
  client: Client;
  broker: Broker;
  /** The worker's price feed (createBrokerStreams); the caller closes it after the worker stops. */
  prices: PriceFeed;
  orderNotices?: OrderNotices | undefined;
  paperOrderChanges?: OrderNotices | undefined;
  audit: AuditLog;
  /** A prebuilt bundle's code; otherwise the workflows are bundled now. */
  workflowBundleCode?: string | undefined;
  taskQueue?: string | undefined;
  /** Broker calls are timed and counted here. */
  brokerMetrics?: BrokerMetrics | undefined;
  /** The activities' clock (tests of dated market rules); the system clock otherwise. */
  now?: (() => Date) | undefined;
}

/**
 * WORKER_WORKFLOW_STACK_TRACES for every worker this process creates from now on. The SDK's
 * workflow threads read it as they start, which `Worker.create` does
 * (patches/@temporalio+worker+1.24.0.patch, docs/temporal-notes.md#workflow-stack-traces): the
 * setting is the process's, as the threads are.
 */
export function applyWorkflowStackTraces(config: Pick<Config, 'worker'>): void {
  process.env.TEMPORAL_WORKFLOW_STACK_TRACES = String(config.worker.WORKER_WORKFLOW_STACK_TRACES);
}

export async function createTradingWorker(deps: WorkerDeps): Promise<Worker> {
  const { config } = deps;
  const activityDeps = workerActivityDeps({ config, sql: deps.sql, broker: deps.broker, prices: deps.prices, orderNotices: deps.orderNotices, paperOrderChanges: deps.paperOrderChanges, audit: deps.audit, log: deps.log, temporal: deps.client, breaker: circuitBreakerPort(deps.client, config), trades: tradesPort(deps.client, config), brokerMetrics: deps.brokerMetrics, ...(deps.now ? { now: deps.now } : {}) });
  const activities = createActivities(activityDeps);
  // every held position's stop-loss and target, watched by this worker while it runs, on a thread of its own
  const exitBook = await startExitBookThread({
    config,
    log: deps.log,
    prices: deps.prices,
    ration: workerQuoteRation(activityDeps),
    record: workerPriceRecorder(activityDeps),
    latency: deps.brokerMetrics?.latency,
    announceOrderChanges: ordersAnnounced(deps),
  });
  applyWorkflowStackTraces(config);
  const worker = await Worker.create({
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
    // An activity that does not end on its cancellation must not keep a stopping worker forever:
    // past this it is abandoned (its attempt times out and is retried on another worker).
    shutdownForceTime: `${config.worker.WORKER_SHUTDOWN_GRACE_S + 10} seconds`,
  }).catch(async (err: unknown) => {
    await exitBook.close();
    throw err;
  });
  // the book stops with the worker (however its run ends)
  const run = worker.run.bind(worker);
  worker.run = () => run().finally(() => exitBook.close());
  return worker;
}
