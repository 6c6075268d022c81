/**
 * Every api and worker process writes a heartbeat every few seconds: its host's system gauges,
 * and (in workers) the broker calls since the last beat. The alert evaluator reads them all, so a
 * full disk or a failing broker on any machine raises an alert wherever the evaluator runs.
 *
 * @module
 */
import os from 'node:os';
import type { Sql } from '../db/pool.ts';
import { addBrokerCalls, removeHeartbeat, writeHeartbeat } from '../db/heartbeats.ts';
import type { RateBudget } from '../broker/rate-limit/store.ts';
import type { BrokerMetrics } from './broker-metrics.ts';
import type { Logger } from '../config/logger.ts';
import type { SystemSampler } from './system-sampler.ts';

export interface HeartbeatOptions {
  sql: Sql;
  kind: 'api' | 'worker';
  sampler: SystemSampler;
  intervalMs: number;
  log: Logger;
  broker?: { name: string; metrics: BrokerMetrics; rateBudget?: (() => Promise<RateBudget | undefined>) | undefined } | undefined;
}

export interface HeartbeatHandle {
  /** Beat now (also what the timer does). */
  beat(): Promise<void>;
  stop(): Promise<void>;
}

/** A process's name in the heartbeat table: host, pid and kind. */
export function processSource(kind: string): string {
  return `${os.hostname()}:${process.pid}:${kind}`;
}

export function startHeartbeat(o: HeartbeatOptions): HeartbeatHandle {
  const source = processSource(o.kind);
  let running: Promise<void> = Promise.resolve();
  const beat = async () => {
    const s = await o.sampler.sample();
    const now = new Date();
    await writeHeartbeat(o.sql, { source, kind: o.kind, host: os.hostname(), pid: process.pid, at: now, cpuRatio: s.cpuRatio, memoryRatio: s.memoryRatio, diskFreeRatio: s.diskFreeRatio, eventLoopLagSeconds: s.eventLoopLagSeconds });
    if (o.broker) {
      const budget = await o.broker.rateBudget?.().catch(() => undefined);
      if (budget) o.broker.metrics.setBudget(budget);
      const t = o.broker.metrics.drain();
      if (t.calls > 0) {
        const bucket = new Date(Math.floor(now.getTime() / 60_000) * 60_000);
        await addBrokerCalls(o.sql, { bucket, source, broker: o.broker.name, ...t }).catch((err: unknown) => {
          o.broker?.metrics.restore(t); // the next beat writes them
          throw err;
        });
      }
    }
  };
  const tick = () => {
    running = running.then(beat).catch((err: unknown) => o.log.warn({ err }, 'heartbeat not written'));
  };
  tick();
  const timer = setInterval(tick, o.intervalMs);
  timer.unref();
  return {
    beat: () => {
      tick();
      return running;
    },
    async stop() {
      clearInterval(timer);
      await running;
      o.sampler.stop();
      // A stopped process is not a process to watch: its CPU must not keep an alert going. One
      // that dies without stopping drops out when its heartbeat is no longer fresh.
      await removeHeartbeat(o.sql, source).catch((err: unknown) => o.log.warn({ err }, 'heartbeat not removed'));
    },
  };
}
