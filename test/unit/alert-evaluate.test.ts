import { describe, expect, it } from 'vitest';
import { type AlertState, evaluate, type MetricSample } from '../../src/domain/alerts/evaluate.ts';
import { builtinRules } from '../../src/domain/alerts/rules.ts';

const rules = builtinRules({ minWorkers: 1 });
const COOLDOWN = 300_000;

/** For each built-in: a series that breaks it, and the same series healthy again. */
const CASES: Record<string, { bad: MetricSample; good: MetricSample }> = {
  cpu_high: pair('breeze_system_cpu_ratio', { source: 'w1', kind: 'worker' }, 0.97, 0.2),
  memory_high: pair('breeze_system_memory_ratio', { source: 'w1', kind: 'worker' }, 0.95, 0.5),
  disk_low: pair('breeze_disk_free_ratio', { source: 'api1', kind: 'api' }, 0.05, 0.5),
  daily_loss_near_limit: pair('breeze_daily_loss_limit_ratio', { account: 'main' }, 0.8, 0.3),
  circuit_breaker_tripped: pair('breeze_trading_halted', { account: 'main' }, 1, 0),
  backup_stale: pair('breeze_backup_stale', { kind: 'daily' }, 1, 0),
  backup_failed: pair('breeze_backup_last_failed', { kind: 'weekly' }, 1, 0),
  audit_chain_broken: pair('breeze_audit_chain_ok', {}, 0, 1),
  broker_error_rate: pair('breeze_broker_error_ratio_5m', {}, 0.5, 0.01),
  broker_session_expired: pair('breeze_broker_session_expired', {}, 1, 0),
  worker_not_polling: pair('breeze_task_queue_pollers', { type: 'activity' }, 0, 2),
  reconciliation_mismatch: pair('breeze_reconciliation_mismatch_open', {}, 1, 0),
  broker_budget_low: pair('breeze_broker_rate_budget_remaining', { broker: 'breeze', window: 'day' }, 900, 4000),
  alert_rules_invalid: pair('breeze_alert_rules_invalid', {}, 1, 0),
  market_calendar_expiring: pair('breeze_market_calendar_days_left', { exchange: 'NSE' }, 27, 300),
  market_calendar_missing: pair('breeze_market_calendar_missing', { exchange: 'BSE' }, 1, 0),
  config_loosened_by_environment: pair('breeze_config_loosened_by_environment', {}, 1, 0),
};

function pair(name: string, labels: Record<string, string>, bad: number, good: number) {
  return { bad: { name, labels, value: bad }, good: { name, labels, value: good } };
}

/** Drives the evaluator like the workflow does: state carried from one evaluation to the next. */
function run() {
  let states: AlertState[] = [];
  return (samples: MetricSample[], atMs: number) => {
    const r = evaluate(rules, samples, states, atMs, COOLDOWN);
    const removed = new Set(r.removed);
    const byKey = new Map(states.filter((s) => !removed.has(s.key)).map((s) => [s.key, s]));
    for (const s of r.changed) byKey.set(s.key, s);
    states = [...byKey.values()];
    return { ...r, states };
  };
}

describe('built-in alert rules', () => {
  it('has a case for every built-in rule', () => {
    expect(Object.keys(CASES).sort()).toEqual(rules.map((r) => r.id).sort());
  });

  for (const rule of rules) {
    it(`${rule.id} fires after ${rule.forSeconds}s, is announced once, and resolves when the condition clears`, () => {
      const { bad, good } = CASES[rule.id]!;
      const step = run();
      const t0 = 1_000_000;
      const first = step([bad], t0);
      if (rule.forSeconds > 0) {
        expect(first.notifications).toEqual([]);
        expect(first.states[0]?.status).toBe('PENDING');
        expect(step([bad], t0 + rule.forSeconds * 1000 - 1).notifications).toEqual([]);
      }
      const firedAt = t0 + rule.forSeconds * 1000;
      const fired = rule.forSeconds > 0 ? step([bad], firedAt) : first;
      expect(fired.notifications).toHaveLength(1);
      expect(fired.notifications[0]).toMatchObject({ ruleId: rule.id, status: 'FIRING', severity: rule.severity, labels: bad.labels });
      expect(fired.firing).toBe(1);

      // Deduplicated: still firing, nothing new to say.
      expect(step([bad], firedAt + 30_000).notifications).toEqual([]);
      expect(step([bad], firedAt + 60_000).notifications).toEqual([]);

      const resolved = step([good], firedAt + 90_000);
      expect(resolved.notifications).toHaveLength(1);
      expect(resolved.notifications[0]).toMatchObject({ ruleId: rule.id, status: 'RESOLVED' });
      expect(resolved.firing).toBe(0);
      expect(step([good], firedAt + 120_000).notifications).toEqual([]);
    });
  }
});

describe('alert evaluation', () => {
  const halted = CASES.circuit_breaker_tripped!;

  it('does not fire when the condition clears before its duration', () => {
    const step = run();
    const cpu = CASES.cpu_high!;
    expect(step([cpu.bad], 0).notifications).toEqual([]);
    expect(step([cpu.good], 200_000).notifications).toEqual([]);
    expect(step([cpu.bad], 250_000).notifications).toEqual([]);
    // The clock restarted at 250 s: 5 minutes from there, not from 0.
    expect(step([cpu.bad], 500_000).notifications).toEqual([]);
    expect(step([cpu.bad], 550_000).notifications.map((n) => n.status)).toEqual(['FIRING']);
  });

  it('holds a re-fire within the cool-down and announces it when the cool-down ends', () => {
    const step = run();
    expect(step([halted.bad], 0).notifications.map((n) => n.status)).toEqual(['FIRING']);
    expect(step([halted.good], 30_000).notifications.map((n) => n.status)).toEqual(['RESOLVED']);
    // Flapping: fires again 30 s after the resolution was announced.
    const refire = step([halted.bad], 60_000);
    expect(refire.notifications).toEqual([]);
    expect(refire.firing).toBe(1);
    expect(step([halted.bad], 30_000 + COOLDOWN - 1).notifications).toEqual([]);
    expect(step([halted.bad], 30_000 + COOLDOWN).notifications.map((n) => n.status)).toEqual(['FIRING']);
  });

  it('drops a held re-fire silently when it clears within the cool-down', () => {
    const step = run();
    step([halted.bad], 0);
    step([halted.good], 10_000);
    expect(step([halted.bad], 20_000).notifications).toEqual([]);
    expect(step([halted.good], 40_000).notifications).toEqual([]);
    expect(step([halted.good], 40_000 + COOLDOWN).states).toEqual([]);
  });

  it('resolves an alert whose series disappears', () => {
    const step = run();
    step([halted.bad], 0);
    expect(step([], 30_000).notifications.map((n) => n.status)).toEqual(['RESOLVED']);
  });

  it('keeps one alert per series: two accounts halted are two alerts', () => {
    const step = run();
    const other = { ...halted.bad, labels: { account: 'second' } };
    const r = step([halted.bad, other], 0);
    expect(r.notifications.map((n) => n.key).sort()).toEqual(['circuit_breaker_tripped{account="main"}', 'circuit_breaker_tripped{account="second"}']);
    expect(step([halted.good, other], 30_000).notifications.map((n) => `${n.key} ${n.status}`)).toEqual(['circuit_breaker_tripped{account="main"} RESOLVED']);
  });

  it('never fires on NaN', () => {
    const step = run();
    expect(step([{ ...halted.bad, value: Number.NaN }], 0).notifications).toEqual([]);
  });
});
