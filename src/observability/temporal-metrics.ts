/**
 * The Temporal SDK's worker metrics (task slots, poll latency, sticky cache...) served on the
 * worker's own `GET /metrics` next to the prom-client registry, so a worker has one metrics port.
 * The SDK's Rust core records them into a {@link MetricsBuffer} (its buffered metrics exporter)
 * instead of its own Prometheus listener; this drains the buffer and renders the Prometheus text
 * exposition format (https://prometheus.io/docs/instrumenting/exposition_formats/) itself, because
 * the SDK's label sets vary from one update to the next, which prom-client's fixed label names
 * cannot hold.
 *
 * @module
 */
import type { Metric, MetricTags } from '@temporalio/common';
import { MetricsBuffer } from '@temporalio/worker';

/** Histogram bounds in milliseconds: the SDK reports durations in ms (poll latencies run to a minute). */
const BUCKETS_MS = [1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10_000, 30_000, 60_000];
/** Drained this often between scrapes, so a busy worker never fills the buffer (it drops updates when full). */
const DRAIN_INTERVAL_MS = 1000;

interface Series {
  labels: string;
  value: number;
  buckets: number[];
  count: number;
}

interface Family {
  metric: Metric;
  series: Map<string, Series>;
}

const TYPES = { counter: 'counter', histogram: 'histogram', gauge: 'gauge', 'up-down-counter': 'gauge' } as const;

const metricName = (name: string) => {
  const clean = name.replace(/[^a-zA-Z0-9_:]/g, '_');
  return clean.startsWith('temporal_') ? clean : `temporal_${clean}`;
};
const escapeValue = (v: string) => v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
const labelText = (tags: MetricTags) =>
  Object.entries(tags)
    .map(([k, v]) => `${k.replace(/[^a-zA-Z0-9_]/g, '_')}="${escapeValue(String(v))}"`)
    .join(',');
const withLabels = (name: string, labels: string, extra?: string) => {
  const all = [labels, extra].filter(Boolean).join(',');
  return all ? `${name}{${all}}` : name;
};

export interface TemporalMetrics {
  /** For the SDK's Runtime: `telemetryOptions.metrics.buffer`. */
  buffer: MetricsBuffer;
  /** The SDK's metrics in the Prometheus text format, up to date as of this call. */
  render(): string;
  stop(): void;
}

/** `buffer`: a test's stand-in; a worker lets it be the SDK's. */
export function createTemporalMetrics(buffer: MetricsBuffer = new MetricsBuffer()): TemporalMetrics {
  const families = new Map<string, Family>();
  // The SDK reuses attribute objects across updates: compute each one's label text once.
  const labelCache = new WeakMap<MetricTags, string>();

  const record = (metric: Metric, value: number, attributes: MetricTags) => {
    const name = metricName(metric.name);
    const family = families.get(name) ?? { metric, series: new Map<string, Series>() };
    families.set(name, family);
    const labels = labelCache.get(attributes) ?? labelText(attributes);
    labelCache.set(attributes, labels);
    const series = family.series.get(labels) ?? { labels, value: 0, buckets: BUCKETS_MS.map(() => 0), count: 0 };
    family.series.set(labels, series);
    if (metric.kind === 'gauge') series.value = value;
    else series.value += value; // counters and up-down counters get deltas; a histogram's value is its sum
    if (metric.kind === 'histogram') {
      series.count += 1;
      BUCKETS_MS.forEach((bound, i) => {
        if (value <= bound) series.buckets[i]! += 1;
      });
    }
  };

  const drain = () => {
    for (const update of buffer.retrieveUpdates()) record(update.metric, update.value, update.attributes);
  };
  const timer = setInterval(drain, DRAIN_INTERVAL_MS);
  timer.unref();

  return {
    buffer,
    render() {
      drain();
      const lines: string[] = [];
      for (const [name, { metric, series }] of families) {
        if (metric.description) lines.push(`# HELP ${name} ${metric.description.replace(/\\/g, '\\\\').replace(/\n/g, '\\n')}`);
        lines.push(`# TYPE ${name} ${TYPES[metric.kind]}`);
        for (const s of series.values()) {
          if (metric.kind !== 'histogram') {
            lines.push(`${withLabels(name, s.labels)} ${s.value}`);
            continue;
          }
          BUCKETS_MS.forEach((bound, i) => lines.push(`${withLabels(`${name}_bucket`, s.labels, `le="${bound}"`)} ${s.buckets[i]}`));
          lines.push(`${withLabels(`${name}_bucket`, s.labels, 'le="+Inf"')} ${s.count}`);
          lines.push(`${withLabels(`${name}_sum`, s.labels)} ${s.value}`);
          lines.push(`${withLabels(`${name}_count`, s.labels)} ${s.count}`);
        }
      }
      return lines.length ? `${lines.join('\n')}\n` : '';
    },
    stop: () => clearInterval(timer),
  };
}
