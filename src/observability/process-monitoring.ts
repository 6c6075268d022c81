/**
 * What every api and worker process runs for monitoring: the system sampler and the heartbeat
 * that writes its gauges (and, in workers, the broker call counts) for the evaluator.
 *
 * @module
 */
import type { RateBudget } from '../broker/rate-limit/store.ts';
import type { Config } from '../config.ts';
import type { Sql } from '../db/pool.ts';
import type { BrokerMetrics } from './broker-metrics.ts';
import { type HeartbeatHandle, startHeartbeat } from './heartbeat.ts';
import type { Logger } from '../config/logger.ts';
import type { Metrics } from './metrics.ts';
import { createSystemSampler } from './system-sampler.ts';

export interface ProcessMonitoringOptions {
  sql: Sql;
  config: Pick<Config, 'alerts' | 'dataDir'>;
  log: Logger;
  kind: 'api' | 'worker';
  metrics: Metrics;
  broker?: { name: string; metrics: BrokerMetrics; rateBudget?: (() => Promise<RateBudget | undefined>) | undefined } | undefined;
}

export function startProcessMonitoring(o: ProcessMonitoringOptions): HeartbeatHandle {
  return startHeartbeat({
    sql: o.sql,
    kind: o.kind,
    sampler: createSystemSampler(o.metrics.registry, o.config.dataDir),
    intervalMs: o.config.alerts.MONITOR_SAMPLE_S * 1000,
    log: o.log,
    broker: o.broker,
  });
}
