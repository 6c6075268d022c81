/**
 * The trading worker of bench/positions.ts, in a process of its own so that its memory and CPU are
 * its own: wired as worker.ts wires it (broker, streams, metrics, the account's circuit breaker and
 * daily-loss guard), without the schedules (backups, retention, reconciliation) that would run
 * work of their own during the measurement. Settings come from the environment the bench gives.
 *
 * Talks to the bench over IPC: sends `{ ready: true }` once polling; answers `metrics` with the
 * trader-latency quantiles; `reset` clears them; `profile-start` / `profile-stop` CPU-profile every
 * thread in between (answering the profiles); `stop` exits (writing a --cpu-prof profile).
 */
import { monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks';
import { NativeConnection } from '@temporalio/worker';
import { Client, Connection } from '@temporalio/client';
import pino from 'pino';
import { createAuditLog } from '../src/audit/append.ts';
import { createBroker, createBrokerStreams } from '../src/broker/create.ts';
import { readConfig } from '../src/config.ts';
import { listAccountIds } from '../src/db/accounts.ts';
import { createSql } from '../src/db/pool.ts';
import { createBrokerMetrics } from '../src/observability/broker-metrics.ts';
import { createMetrics } from '../src/observability/metrics.ts';
import { ensureCircuitBreaker } from '../src/temporal/circuit-breaker.ts';
import { ensureDailyLossGuard } from '../src/temporal/daily-loss-guard.ts';
import { createTradingWorker } from '../src/worker/create-worker.ts';
import { startCpuProfile } from './cpu-profile.ts';
import { histogramQuantiles } from './histogram.ts';

const config = readConfig();
const log = pino({ level: 'warn' });
const sql = createSql(config.database.DATABASE_URL ?? '', { max: 20, idleTimeoutS: 30, connectTimeoutS: 10, statementTimeoutMs: 0, applicationName: 'bench-positions-worker' });
const address = config.temporal.TEMPORAL_ADDRESS ?? '';
const client = new Client({ connection: await Connection.connect({ address }) });
const connection = await NativeConnection.connect({ address });
const metrics = createMetrics('worker');
const broker = createBroker(config, sql);
const brokerMetrics = createBrokerMetrics(metrics.registry, broker.name);
const streams = await createBrokerStreams(config, sql, broker, log);
const worker = await createTradingWorker({ config, log, sql, connection, client, broker, prices: streams.prices, orderNotices: streams.orderNotices, paperOrderChanges: streams.paperOrderChanges, audit: createAuditLog(), brokerMetrics });
for (const accountId of await listAccountIds(sql)) {
  await ensureCircuitBreaker(client, config, accountId);
  await ensureDailyLossGuard(client, config, accountId);
}

const send = (message: unknown) => process.send?.(message);
let profiler: Awaited<ReturnType<typeof startCpuProfile>> | undefined;
// what holds the main thread's event loop (where the exit book decides) while the instruments tick
const loopDelay = monitorEventLoopDelay({ resolution: 10 });
const gc = { count: 0, totalMs: 0, maxMs: 0 };
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) {
    gc.count++;
    gc.totalMs += entry.duration;
    gc.maxMs = Math.max(gc.maxMs, entry.duration);
  }
}).observe({ entryTypes: ['gc'] });
const ms = (ns: number) => Math.round(ns / 1e5) / 10;
process.on('message', (message: string) => {
  void (async () => {
    if (message === 'metrics') {
      send({
        metrics: {
          decision: await histogramQuantiles(metrics.registry, 'tick_to_exit_decision_seconds'),
          exitOrder: await histogramQuantiles(metrics.registry, 'tick_to_exit_order_seconds'),
          mainThread: {
            loopDelayMs: { p50: ms(loopDelay.percentile(50)), p99: ms(loopDelay.percentile(99)), max: ms(loopDelay.max) },
            gc: { count: gc.count, totalMs: Math.round(gc.totalMs), maxMs: Math.round(gc.maxMs) },
            heapUsedMiB: Math.round(process.memoryUsage().heapUsed / 2 ** 20),
          },
        },
      });
    } else if (message === 'reset') {
      metrics.registry.getSingleMetric('tick_to_exit_decision_seconds')?.reset();
      metrics.registry.getSingleMetric('tick_to_exit_order_seconds')?.reset();
      loopDelay.reset();
      loopDelay.enable();
      Object.assign(gc, { count: 0, totalMs: 0, maxMs: 0 });
      send({ reset: true });
    } else if (message === 'profile-start') {
      profiler = await startCpuProfile();
      send({ profiling: true });
    } else if (message === 'profile-stop') {
      send({ profiles: (await profiler?.stop()) ?? [] });
      profiler = undefined;
    } else if (message === 'stop') {
      // exit at once: the bench throws its Temporal server away, and --cpu-prof writes on exit
      process.exit(0);
    }
  })();
});
// the bench's end (or death) is this process's end
process.on('disconnect', () => process.exit(0));
send({ ready: true });
await worker.run();
