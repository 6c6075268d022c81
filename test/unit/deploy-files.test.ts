import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { builtinRules } from '../../src/observability/alerts/rules.ts';
import { METRIC_CATALOG, SYSTEM_SAMPLE_NAMES } from '../../src/observability/samples.ts';

const prometheusRules = readFileSync('deploy/prometheus/alert-rules.yml', 'utf8');
const dashboard = readFileSync('deploy/grafana/breeze-trader.json', 'utf8');

/** Every metric the system exports under the breeze_ prefix (histograms with their series). */
const KNOWN = new Set<string>([
  ...Object.keys(METRIC_CATALOG),
  ...SYSTEM_SAMPLE_NAMES,
  'breeze_disk_free_bytes',
  'breeze_monitoring_read_errors_total',
  'breeze_broker_calls_total',
  'breeze_broker_rate_budget_remaining',
  ...['bucket', 'sum', 'count'].map((s) => `breeze_broker_call_duration_seconds_${s}`),
]);

describe('deploy/ files', () => {
  it('the Prometheus rules cover every built-in alert rule', () => {
    const covered = new Set([...prometheusRules.matchAll(/rule: (\w+)/g)].map((m) => m[1]));
    const internalOnly = new Set(['alert_rules_invalid']); // about the evaluator's own rules file
    expect(builtinRules({ minWorkers: 1 }).map((r) => r.id).filter((id) => !covered.has(id) && !internalOnly.has(id))).toEqual([]);
  });

  it('the Prometheus rules and the Grafana dashboard use only metrics the system exports', () => {
    const used = new Set([...`${prometheusRules}\n${dashboard}`.matchAll(/breeze_[a-z0-9_]+/g)].map((m) => m[0]));
    expect([...used].filter((name) => !KNOWN.has(name))).toEqual([]);
    expect(() => JSON.parse(dashboard) as unknown).not.toThrow();
  });
});
