/**
 * The trading gauges of a Prometheus registry, filled from one snapshot per scrape: each gauge's
 * `collect` awaits the same cached read, so a scrape costs one snapshot (a handful of queries),
 * not a query per metric, and scrapes arriving together share it.
 *
 * @module
 */
import { Counter, Gauge, type Registry } from 'prom-client';
import type { Logger } from '../config/logger.ts';
import { METRIC_CATALOG, snapshotSamples } from './samples.ts';
import type { MonitoringSnapshot } from './snapshot.ts';
import type { MetricSample } from '../domain/alerts/evaluate.ts';

export interface TradingCollector {
  /** The current snapshot (cached for `cacheMs`). */
  snapshot(): Promise<MonitoringSnapshot>;
}

export function registerTradingMetrics(registry: Registry, read: () => Promise<MonitoringSnapshot>, log: Logger, cacheMs = 5000): TradingCollector {
  let cached: { at: number; value: Promise<MonitoringSnapshot> } | undefined;
  const snapshot = () => {
    const now = Date.now();
    if (!cached || now - cached.at >= cacheMs) {
      const value = read();
      cached = { at: now, value };
      // A failed read is not kept: the next scrape tries again.
      value.catch(() => {
        if (cached?.value === value) cached = undefined;
      });
    }
    return cached.value;
  };
  const readErrors = new Counter({ name: 'breeze_monitoring_read_errors_total', help: 'Scrapes whose trading snapshot could not be read', registers: [registry] });
  let samples: { at: number; value: Promise<MetricSample[]> } | undefined;
  const currentSamples = () => {
    const now = Date.now();
    if (!samples || now - samples.at >= Math.min(cacheMs, 1000)) {
      samples = {
        at: now,
        value: snapshot().then(snapshotSamples, (err: unknown) => {
          readErrors.inc();
          log.warn({ err }, 'trading metrics could not be read');
          return [];
        }),
      };
    }
    return samples.value;
  };
  for (const [name, { help, labels }] of Object.entries(METRIC_CATALOG)) {
    new Gauge({
      name,
      help,
      labelNames: [...labels],
      registers: [registry],
      async collect() {
        const all = await currentSamples();
        this.reset();
        for (const s of all) if (s.name === name) this.set(s.labels, s.value);
      },
    });
  }
  return { snapshot };
}
