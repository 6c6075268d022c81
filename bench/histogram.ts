/**
 * Quantiles of a prom-client histogram, the way Prometheus's `histogram_quantile` estimates them:
 * linear within the bucket the rank falls in (so only as fine as the buckets).
 */
import type { Registry } from 'prom-client';

export async function histogramQuantiles(registry: Registry, name: string, labels: Record<string, string> = {}): Promise<{ count: number; p50Ms?: number; p99Ms?: number }> {
  const metric = registry.getSingleMetric(name);
  if (!metric) return { count: 0 };
  const values = (await metric.get()).values as { metricName?: string; labels: Partial<Record<string, string | number>>; value: number }[];
  const matches = (l: Partial<Record<string, string | number>>) => Object.entries(labels).every(([k, v]) => String(l[k]) === v);
  const buckets = values
    .filter((v) => v.metricName === `${name}_bucket` && matches(v.labels))
    .map((v) => ({ le: v.labels.le === '+Inf' ? Infinity : Number(v.labels.le), count: v.value }));
  // the same `le` may appear once per label set: add them up
  const byLe = new Map<number, number>();
  for (const b of buckets) byLe.set(b.le, (byLe.get(b.le) ?? 0) + b.count);
  const sorted = [...byLe].map(([le, count]) => ({ le, count })).sort((a, b) => a.le - b.le);
  const count = sorted.at(-1)?.count ?? 0;
  if (count === 0) return { count };
  const quantile = (q: number) => {
    const rank = q * count;
    let lower = 0;
    let below = 0;
    for (const b of sorted) {
      if (b.count >= rank) {
        if (b.le === Infinity) return lower;
        return lower + ((b.le - lower) * (rank - below)) / Math.max(1, b.count - below);
      }
      lower = b.le;
      below = b.count;
    }
    return lower;
  };
  const ms = (s: number) => Math.round(s * 10_000) / 10;
  return { count, p50Ms: ms(quantile(0.5)), p99Ms: ms(quantile(0.99)) };
}
