/**
 * The Temporal SDK's Runtime for a worker process: its logs go to pino, its own metrics into a
 * buffer that the worker's `GET /metrics` renders (src/observability/temporal-metrics.ts), so
 * they share the worker's one metrics port. Installed once per process, before any worker or
 * native connection exists.
 *
 * @module
 */
import { DefaultLogger, type LogLevel, makeTelemetryFilterString, Runtime } from '@temporalio/worker';
import type { Logger } from '../config/logger.ts';
import type { TemporalMetrics } from './temporal-metrics.ts';

const LEVELS: Record<LogLevel, 'trace' | 'debug' | 'info' | 'warn' | 'error'> = {
  TRACE: 'trace',
  DEBUG: 'debug',
  INFO: 'info',
  WARN: 'warn',
  ERROR: 'error',
};

/** Without `metrics` (the worker serves no /metrics), the SDK records no metrics at all. */
export function installTemporalRuntime(log: Logger, metrics?: TemporalMetrics): void {
  const sdkLog = log.child({ component: 'temporal' });
  Runtime.install({
    // WARN: the SDK's INFO lines (bundler output, state changes) drown the system's own log.
    logger: new DefaultLogger('WARN', (entry) => {
      sdkLog[LEVELS[entry.level]]({ ...entry.meta }, entry.message);
    }),
    telemetryOptions: {
      logging: { forward: {}, filter: makeTelemetryFilterString({ core: 'WARN' }) },
      ...(metrics ? { metrics: { buffer: metrics.buffer, metricPrefix: 'temporal_' } } : {}),
    },
  });
}
