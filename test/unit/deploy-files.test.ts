import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { builtinRules } from '../../src/domain/alerts/rules.ts';
import { NODE_FLAGS } from '../../src/launcher/node-flags.ts';
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
  'breeze_audit_file_copy_failures_total',
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

  it('pages through Alertmanager: Prometheus sends to it, compose runs it, every route has a receiver', () => {
    const prometheus = parse(readFileSync('deploy/prometheus/prometheus.yml', 'utf8')) as { alerting: { alertmanagers: { static_configs: { targets: string[] }[] }[] } };
    expect(prometheus.alerting.alertmanagers[0]!.static_configs[0]!.targets).toEqual(['alertmanager:9093']);
    const compose = parse(readFileSync('docker-compose.yml', 'utf8'), { merge: true }) as { services: Record<string, { volumes?: string[] }> };
    expect(compose.services.alertmanager?.volumes).toContain('./deploy/alertmanager/alertmanager.yml:/etc/alertmanager/alertmanager.yml:ro');
    type Route = { receiver?: string; routes?: Route[] };
    const config = parse(readFileSync('deploy/alertmanager/alertmanager.yml', 'utf8')) as { route: Route; receivers: { name: string; email_configs?: unknown[]; webhook_configs?: unknown[] }[] };
    const receivers = new Set(config.receivers.filter((r) => r.email_configs?.length || r.webhook_configs?.length).map((r) => r.name));
    const routed = (r: Route): string[] => [...(r.receiver ? [r.receiver] : []), ...(r.routes ?? []).flatMap(routed)];
    expect(routed(config.route).filter((name) => !receivers.has(name))).toEqual([]);
    // A dead worker cannot raise the system's own alert: Prometheus must.
    expect(prometheusRules).toContain('rule: worker_not_polling');
  });

  it('every way of starting the worker and the API gives them the V8 flags the benchmarks measured', () => {
    // node reads its own options before the script's name
    const before = (args: string[], script: string) => (args.includes(script) ? args.slice(0, args.indexOf(script)) : []);
    const compose = parse(readFileSync('docker-compose.yml', 'utf8'), { merge: true }) as { services: Record<string, { command?: string[] }> };
    const scripts = (JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: Record<string, string> }).scripts;
    const dockerfileCmd = JSON.parse(/^CMD (\[.*\])$/m.exec(readFileSync('Dockerfile', 'utf8'))?.[1] ?? '[]') as string[];
    const starts = {
      'compose worker': before(compose.services.worker?.command ?? [], 'worker.ts'),
      'compose api': before(compose.services.api?.command ?? [], 'api.ts'),
      'npm run worker': before(scripts.worker?.split(' ') ?? [], 'worker.ts'),
      'npm run api': before(scripts.api?.split(' ') ?? [], 'api.ts'),
      'Dockerfile CMD': before(dockerfileCmd, 'api.ts'),
      // the benchmarks' API and worker run in this process (the positions bench's worker in a child of its own)
      'npm run bench': before(scripts.bench?.split(' ') ?? [], 'bench/run.ts'),
    };
    for (const [how, args] of Object.entries(starts)) expect({ how, args }).toEqual({ how, args: expect.arrayContaining([...NODE_FLAGS]) });
    // start.ts spreads the constant itself, before each script
    const launcher = readFileSync('start.ts', 'utf8');
    for (const script of ['worker', 'api']) expect(launcher).toMatch(new RegExp(`args: \\[\\.\\.\\.NODE_FLAGS, .*'${script}\\.ts'\\)\\]`));
  });
});
