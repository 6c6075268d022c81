/**
 * Queries of the alert tables: the state of each alert instance, the notifications (history), the
 * deliveries per channel, and the evaluator's last run.
 *
 * @module
 */
import type { AlertState, AlertStatus, Notification } from '../domain/alerts/evaluate.ts';
import type { Severity } from '../domain/alerts/rules.ts';
import type { Queryable } from './pool.ts';

export async function loadAlertStates(sql: Queryable): Promise<AlertState[]> {
  const rows = await sql<(Omit<AlertState, 'activeSince' | 'firedAt' | 'resolvedAt' | 'notifiedAt'> & { activeSince: Date | null; firedAt: Date | null; resolvedAt: Date | null; notifiedAt: Date | null })[]>`
    select key, rule_id as "ruleId", labels, severity, status, active_since as "activeSince", fired_at as "firedAt",
      resolved_at as "resolvedAt", notified_status as "notifiedStatus", notified_at as "notifiedAt", value, summary
    from alert_state`;
  const ms = (d: Date | null) => (d ? d.getTime() : null);
  return rows.map((r) => ({ ...r, activeSince: ms(r.activeSince), firedAt: ms(r.firedAt), resolvedAt: ms(r.resolvedAt), notifiedAt: ms(r.notifiedAt) }));
}

const at = (ms: number | null) => (ms === null ? null : new Date(ms));

/** Write changed states (upsert) and remove the ones gone quiet. */
export async function saveAlertStates(sql: Queryable, changed: AlertState[], removed: string[]): Promise<void> {
  for (const s of changed) {
    await sql`
      insert into alert_state (key, rule_id, labels, severity, status, active_since, fired_at, resolved_at, notified_status, notified_at, value, summary, updated_at)
      values (${s.key}, ${s.ruleId}, ${sql.json(s.labels)}, ${s.severity}, ${s.status}, ${at(s.activeSince)}, ${at(s.firedAt)}, ${at(s.resolvedAt)},
        ${s.notifiedStatus}, ${at(s.notifiedAt)}, ${s.value}, ${s.summary}, now())
      on conflict (key) do update set rule_id = excluded.rule_id, labels = excluded.labels, severity = excluded.severity,
        status = excluded.status, active_since = excluded.active_since, fired_at = excluded.fired_at, resolved_at = excluded.resolved_at,
        notified_status = excluded.notified_status, notified_at = excluded.notified_at, value = excluded.value,
        summary = excluded.summary, updated_at = now()`;
  }
  if (removed.length) await sql`delete from alert_state where key in ${sql(removed)}`;
}

/** A stored notification: what the evaluator decided, with its id and times. */
export interface AlertEventRow extends Omit<Notification, 'key'> {
  id: number;
  alertKey: string;
  occurredAt: Date;
  dispatchedAt: Date | null;
}

const selectEvent = (sql: Queryable) => sql`
  select id, alert_key as "alertKey", rule_id as "ruleId", status, severity, summary, labels, value,
    occurred_at as "occurredAt", dispatched_at as "dispatchedAt"
  from alert_events`;

export async function insertAlertEvents(sql: Queryable, notifications: Notification[], now: Date): Promise<void> {
  for (const n of notifications) {
    await sql`
      insert into alert_events (alert_key, rule_id, status, severity, summary, labels, value, occurred_at)
      values (${n.key}, ${n.ruleId}, ${n.status}, ${n.severity}, ${n.summary}, ${sql.json(n.labels)}, ${n.value}, ${now})`;
  }
}

/** Notifications whose deliveries have not been started yet, oldest first. */
export async function undispatchedEvents(sql: Queryable, limit = 100): Promise<AlertEventRow[]> {
  return sql<AlertEventRow[]>`${selectEvent(sql)} where dispatched_at is null order by id limit ${limit}`;
}

export async function markDispatched(sql: Queryable, ids: number[]): Promise<void> {
  if (ids.length) await sql`update alert_events set dispatched_at = now() where id in ${sql(ids)} and dispatched_at is null`;
}

export interface DeliveryRow {
  channel: string;
  status: 'PENDING' | 'DELIVERED' | 'FAILED';
  attempts: number;
  lastError: string | null;
  deliveredAt: Date | null;
}

export async function recentAlertEvents(sql: Queryable, limit: number): Promise<(AlertEventRow & { deliveries: DeliveryRow[] })[]> {
  return sql<(AlertEventRow & { deliveries: DeliveryRow[] })[]>`
    select e.id, e.alert_key as "alertKey", e.rule_id as "ruleId", e.status, e.severity, e.summary, e.labels, e.value,
      e.occurred_at as "occurredAt", e.dispatched_at as "dispatchedAt",
      coalesce((select jsonb_agg(jsonb_build_object('channel', d.channel, 'status', d.status, 'attempts', d.attempts,
        'lastError', d.last_error, 'deliveredAt', d.delivered_at) order by d.channel)
        from alert_deliveries d where d.event_id = e.id), '[]'::jsonb) as deliveries
    from alert_events e order by e.occurred_at desc, e.id desc limit ${limit}`;
}

export async function getAlertEvent(sql: Queryable, id: number): Promise<AlertEventRow | undefined> {
  const [row] = await sql<AlertEventRow[]>`${selectEvent(sql)} where id = ${id}`;
  return row;
}

/** Count one attempt at a channel and its outcome. */
export async function recordDeliveryAttempt(sql: Queryable, eventId: number, channel: string, outcome: { delivered: true } | { delivered: false; error: string; final: boolean }): Promise<void> {
  const status = outcome.delivered ? 'DELIVERED' : outcome.final ? 'FAILED' : 'PENDING';
  const error = outcome.delivered ? null : outcome.error.slice(0, 1000);
  await sql`
    insert into alert_deliveries (event_id, channel, status, attempts, last_error, delivered_at, updated_at)
    values (${eventId}, ${channel}, ${status}, 1, ${error}, ${outcome.delivered ? new Date() : null}, now())
    on conflict (event_id, channel) do update set status = excluded.status, attempts = alert_deliveries.attempts + 1,
      last_error = coalesce(excluded.last_error, alert_deliveries.last_error), delivered_at = excluded.delivered_at, updated_at = now()`;
}

export async function currentAlerts(sql: Queryable): Promise<{ key: string; ruleId: string; severity: Severity; status: AlertStatus; summary: string; labels: Record<string, string>; value: number | null; activeSince: Date | null; firedAt: Date | null }[]> {
  return sql`
    select key, rule_id as "ruleId", severity, status, summary, labels, value, active_since as "activeSince", fired_at as "firedAt"
    from alert_state where status in ('PENDING', 'FIRING') order by fired_at desc nulls last, key`;
}

export async function recordEvaluation(sql: Queryable, evaluatedAt: Date, rules: number, firing: number): Promise<void> {
  await sql`
    insert into alert_evaluations (id, evaluated_at, rules, firing) values (1, ${evaluatedAt}, ${rules}, ${firing})
    on conflict (id) do update set evaluated_at = excluded.evaluated_at, rules = excluded.rules, firing = excluded.firing`;
}

export async function lastEvaluation(sql: Queryable): Promise<{ evaluatedAt: Date; rules: number; firing: number } | undefined> {
  const [row] = await sql<{ evaluatedAt: Date; rules: number; firing: number }[]>`
    select evaluated_at as "evaluatedAt", rules, firing from alert_evaluations where id = 1`;
  return row;
}
