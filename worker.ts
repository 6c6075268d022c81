/**
 * Worker entry (`npm run worker`): runs the workflows and activities against DATABASE_URL and
 * TEMPORAL_ADDRESS. Stops cleanly on SIGTERM/SIGINT: no new tasks, running activities get
 * WORKER_SHUTDOWN_GRACE_S to finish, then the pools close.
 *
 * One metrics endpoint, WORKER_HTTP_PORT: this process's prom-client registry (system gauges,
 * broker calls and latency, Node defaults) and the Temporal SDK's own worker metrics.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { NativeConnection } from '@temporalio/worker';
import { createAuditLog } from './src/audit/append.ts';
import { createAuditFileCopy } from './src/audit/file-copy.ts';
import { auditSettingsAtStart } from './src/audit/settings-at-start.ts';
import { createBroker, createBrokerStreams, rateBudgetOf } from './src/broker/create.ts';
import { ConfigError, readConfig } from './src/config.ts';
import { listAccountIds } from './src/db/accounts.ts';
import { ensureAlertEvaluator } from './src/temporal/alert-evaluator.ts';
import { createBrokerMetrics } from './src/observability/broker-metrics.ts';
import { armFailpoints } from './src/observability/failpoints.ts';
import { createMetrics } from './src/observability/metrics.ts';
import { startProcessMonitoring } from './src/observability/process-monitoring.ts';
import { createLogger } from './src/config/logger.ts';
import { createTemporalMetrics } from './src/observability/temporal-metrics.ts';
import { installTemporalRuntime } from './src/observability/temporal-runtime.ts';
import { exitOnStartupError } from './src/config/startup-error.ts';
import { openDatabase } from './src/db/open.ts';
import { ensureCircuitBreaker } from './src/temporal/circuit-breaker.ts';
import { ensureDailyLossGuard } from './src/temporal/daily-loss-guard.ts';
import { connectClient } from './src/temporal/client.ts';
import { ensureReconciliationSchedule, startReconciliationAtWorkerStart } from './src/temporal/reconciliation-schedule.ts';
import { ensureRetentionSchedule } from './src/temporal/retention-schedule.ts';
import { ensureDailyReportSchedule } from './src/temporal/daily-report-schedule.ts';
import { ensureBackupSchedules } from './src/temporal/schedules.ts';
import { createTradingWorker } from './src/worker/create-worker.ts';
import { startWorkerHttp } from './src/worker/http.ts';

async function run(): Promise<void> {
  const config = readConfig();
  const log = createLogger(config.process, 'worker');
  if (!config.temporal.TEMPORAL_ADDRESS) throw new ConfigError([{ variable: 'TEMPORAL_ADDRESS', message: 'not set: run `npm start` or point it at a Temporal server' }]);
  armFailpoints(config.worker.FAILPOINTS);
  const temporalMetrics = config.ports.WORKER_HTTP_PORT > 0 ? createTemporalMetrics() : undefined;
  installTemporalRuntime(log, temporalMetrics);

  const sql = await openDatabase(config, log, 'worker');
  const client = await connectClient({ address: config.temporal.TEMPORAL_ADDRESS, namespace: config.temporal.TEMPORAL_NAMESPACE, startupWaitS: config.temporal.TEMPORAL_STARTUP_WAIT_S }, log);
  const connection = await NativeConnection.connect({ address: config.temporal.TEMPORAL_ADDRESS });
  const metrics = createMetrics('worker');
  const broker = createBroker(config, sql);
  const brokerMetrics = createBrokerMetrics(metrics.registry, broker.name);
  const heartbeat = startProcessMonitoring({ sql, config, log, kind: 'worker', metrics, broker: { name: broker.name, metrics: brokerMetrics, rateBudget: rateBudgetOf(broker) } });
  const streams = await createBrokerStreams(config, sql, broker, log);
  const http = config.ports.WORKER_HTTP_PORT > 0 ? await startWorkerHttp(config.ports.WORKER_HTTP_PORT, config.process.HOST, metrics.registry, log, temporalMetrics) : undefined;
  const audit = createAuditLog({ log, fileCopy: createAuditFileCopy(path.join(config.dataDir, 'audit'), log, metrics.registry) });
  try {
    // Risk settings changed through the environment since the last start are audited (and alerted when looser).
    await auditSettingsAtStart({ sql, audit, config, log }, 'worker');
    const worker = await createTradingWorker({
      config,
      log,
      sql,
      connection,
      client,
      broker,
      prices: streams.prices,
      orderNotices: streams.orderNotices,
      paperOrderChanges: streams.paperOrderChanges,
      brokerMetrics,
      audit,
      workflowBundleCode: config.worker.WORKFLOW_BUNDLE_PATH ? await readFile(config.worker.WORKFLOW_BUNDLE_PATH, 'utf8') : undefined,
    });
    for (const accountId of await listAccountIds(sql)) {
      await ensureCircuitBreaker(client, config, accountId);
      // Positions opened before this worker (or a guard that ended) are watched again; a flat book ends it.
      await ensureDailyLossGuard(client, config, accountId);
    }
    if (config.alerts.ALERT_EVALUATOR) await ensureAlertEvaluator(client, config);
    await ensureRetentionSchedule(client, config);
    await ensureDailyReportSchedule(client, config);
    const schedules = await ensureBackupSchedules(client, config);
    log.info(schedules, 'backup schedules in place');
    await ensureReconciliationSchedule(client, config);
    // The worker's own poller is not running yet: the round starts once worker.run() below polls.
    log.info({ workflowId: await startReconciliationAtWorkerStart(client, config), everyMinutes: config.reconciliation.RECONCILIATION_INTERVAL_MIN }, 'reconciliation scheduled, and one round started now');
    log.info({ taskQueue: config.temporal.TEMPORAL_TASK_QUEUE, namespace: config.temporal.TEMPORAL_NAMESPACE, broker: config.broker.BROKER }, 'worker running');
    await worker.run();
    log.info('worker stopped');
  } finally {
    await streams.prices.close();
    await streams.paperOrderChanges?.close();
    await http?.close();
    temporalMetrics?.stop();
    await heartbeat.stop();
    await connection.close();
    await client.connection.close();
    await audit.settled();
    await sql.end({ timeout: 5 });
  }
}

run().catch(exitOnStartupError);
