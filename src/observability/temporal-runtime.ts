/**
 * The Temporal SDK's Runtime for a worker process: its logs go to pino, its own metrics to a
 * Prometheus endpoint of their own. Installed once per process, before any worker or native
 * connection exists.
 *
 * @module
 */
import { DefaultLogger, type LogLevel, makeTelemetryFilterString, Runtime } from '@temporalio/worker';
import type { Logger } from '../config/logger.ts';

const LEVELS: Record<LogLevel, 'trace' | 'debug' | 'info' | 'warn' | 'error'> = {
  TRACE: 'trace',
  DEBUG: 'debug',
  INFO: 'info',
  WARN: 'warn',
  ERROR: 'error',
};

/** `host`: the interface the SDK's metrics listen on (HOST, like the API's: loopback unless told). */
export function installTemporalRuntime(log: Logger, metricsPort: number, host: string): void {
  const sdkLog = log.child({ component: 'temporal' });
  Runtime.install({
    // WARN: the SDK's INFO lines (bundler output, state changes) drown the system's own log.
    logger: new DefaultLogger('WARN', (entry) => {
      sdkLog[LEVELS[entry.level]]({ ...entry.meta }, entry.message);
    }),
    telemetryOptions: {
      logging: { forward: {}, filter: makeTelemetryFilterString({ core: 'WARN' }) },
      ...(metricsPort > 0 ? { metrics: { prometheus: { bindAddress: `${host.includes(':') ? `[${host}]` : host}:${metricsPort}` }, metricPrefix: 'temporal_' } } : {}),
    },
  });
}
