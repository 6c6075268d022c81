/**
 * The evaluator's pure core: given the rules, the current metric samples, the stored state of
 * every alert instance and the clock, decide the new states and the notifications to send.
 *
 * - An instance is a rule applied to one series (its labels): `cpu_high{source="w1"}`.
 * - PENDING while the condition holds for less than the rule's duration; FIRING after.
 * - Deduplicated: a FIRING instance is announced once, not on every evaluation.
 * - Cool-down: an instance announced less than `cooldownMs` ago is not announced FIRING again
 *   (a flapping condition); it is held and announced when the cool-down ends if it still fires,
 *   and dropped silently if it clears first.
 * - Resolution: when the condition clears (or its series disappears) a FIRING instance that was
 *   announced is announced RESOLVED.
 *
 * @module
 */
import { type AlertRule, compare, type Severity } from './rules.ts';

export interface MetricSample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export type AlertStatus = 'PENDING' | 'FIRING' | 'RESOLVED';

export interface AlertState {
  key: string;
  ruleId: string;
  labels: Record<string, string>;
  severity: Severity;
  status: AlertStatus;
  /** Epoch ms; the condition has held since then. */
  activeSince: number | null;
  firedAt: number | null;
  resolvedAt: number | null;
  notifiedStatus: 'FIRING' | 'RESOLVED' | null;
  notifiedAt: number | null;
  value: number | null;
  summary: string;
}

export interface Notification {
  key: string;
  ruleId: string;
  status: 'FIRING' | 'RESOLVED';
  severity: Severity;
  summary: string;
  labels: Record<string, string>;
  value: number | null;
}

export interface EvaluationResult {
  /** States that changed (to upsert). */
  changed: AlertState[];
  /** Keys whose state is no longer needed. */
  removed: string[];
  notifications: Notification[];
  firing: number;
}

/** `rule{a="1",b="2"}` with labels sorted: the same series always gets the same key. */
export function alertKey(ruleId: string, labels: Record<string, string>): string {
  const parts = Object.keys(labels)
    .sort()
    .map((k) => `${k}=${JSON.stringify(labels[k])}`);
  return parts.length ? `${ruleId}{${parts.join(',')}}` : ruleId;
}

export function matches(rule: AlertRule, sample: MetricSample): boolean {
  return sample.name === rule.metric && Object.entries(rule.match).every(([k, v]) => sample.labels[k] === v);
}

function describe(rule: AlertRule, labels: Record<string, string>, value: number | null): string {
  const where = Object.entries(labels).map(([k, v]) => `${k}=${v}`).join(', ');
  const shown = value === null ? 'no value' : Number.isInteger(value) ? String(value) : value.toFixed(3);
  return `${rule.summary}${where ? ` (${where})` : ''}: ${rule.metric} is ${shown}, condition ${rule.op} ${rule.threshold}`;
}

export function evaluate(rules: AlertRule[], samples: MetricSample[], previous: AlertState[], now: number, cooldownMs: number): EvaluationResult {
  const before = new Map(previous.map((s) => [s.key, s]));
  const after = new Map<string, AlertState>(previous.map((s) => [s.key, { ...s }]));
  const active = new Set<string>();
  const notifications: Notification[] = [];
  const notify = (s: AlertState, status: 'FIRING' | 'RESOLVED') => {
    notifications.push({ key: s.key, ruleId: s.ruleId, status, severity: s.severity, summary: s.summary, labels: s.labels, value: s.value });
    s.notifiedStatus = status;
    s.notifiedAt = now;
  };
  const coolingDown = (s: AlertState) => s.notifiedAt !== null && now - s.notifiedAt < cooldownMs;

  for (const rule of rules) {
    for (const sample of samples) {
      if (!matches(rule, sample)) continue;
      const key = alertKey(rule.id, sample.labels);
      if (active.has(key)) continue; // two samples of one series: the first wins
      const old = after.get(key);
      if (!compare(rule.op, sample.value, rule.threshold)) {
        if (old) old.value = sample.value;
        continue;
      }
      active.add(key);
      const s: AlertState =
        !old || old.status === 'RESOLVED'
          ? { key, ruleId: rule.id, labels: sample.labels, severity: rule.severity, status: 'PENDING', activeSince: now, firedAt: null, resolvedAt: null, notifiedStatus: old?.notifiedStatus ?? null, notifiedAt: old?.notifiedAt ?? null, value: null, summary: '' }
          : old;
      s.severity = rule.severity;
      s.value = sample.value;
      s.summary = describe(rule, sample.labels, sample.value);
      if (s.status === 'PENDING' && now - (s.activeSince ?? now) >= rule.forSeconds * 1000) {
        s.status = 'FIRING';
        s.firedAt = now;
      }
      if (s.status === 'FIRING' && s.notifiedStatus !== 'FIRING' && !coolingDown(s)) notify(s, 'FIRING');
      after.set(key, s);
    }
  }

  // Everything not confirmed active now: the condition cleared, or its series or rule is gone.
  const removed: string[] = [];
  for (const [key, s] of after) {
    if (active.has(key)) continue;
    if (s.status === 'FIRING') {
      s.status = 'RESOLVED';
      s.resolvedAt = now;
      s.activeSince = null;
      if (s.notifiedStatus === 'FIRING') notify(s, 'RESOLVED');
      continue;
    }
    // PENDING that cleared, or RESOLVED: kept only while its last notification is cooling down.
    if (s.notifiedStatus !== null && coolingDown(s)) {
      s.status = 'RESOLVED';
      s.activeSince = null;
    } else {
      after.delete(key);
      if (before.has(key)) removed.push(key);
    }
  }

  const changed = [...after.values()].filter((s) => {
    const old = before.get(s.key);
    return !old || JSON.stringify(old) !== JSON.stringify(s);
  });
  const firing = [...after.values()].filter((s) => s.status === 'FIRING').length;
  return { changed, removed, notifications, firing };
}
