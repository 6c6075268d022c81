/**
 * An alert notification as every channel sends it, and its one-line subject and plain text.
 *
 * @module
 */
import { AppError } from '../../domain/errors.ts';
import type { Notification } from '../../domain/alerts/evaluate.ts';

export interface AlertMessage extends Omit<Notification, 'key'> {
  /** The notification's id (alert_events.id): receivers deduplicate on it (X-Alert-Id). */
  eventId: number;
  alertKey: string;
  occurredAt: string;
  /** `report`: a summary sent once (the day's report), not an alert's state change. */
  kind?: 'report' | undefined;
  /** The full text, when it is more than the summary (reports). */
  body?: string | undefined;
}

export interface AlertChannel {
  readonly name: string;
  send(message: AlertMessage): Promise<void>;
}

export function subjectOf(m: AlertMessage): string {
  if (m.kind === 'report') return `breeze-trader ${m.summary}`;
  const where = Object.values(m.labels).join(', ');
  return `[${m.status} ${m.severity}] breeze-trader ${m.ruleId}${where ? ` (${where})` : ''}`;
}

export function textOf(m: AlertMessage): string {
  if (m.body !== undefined) return m.body;
  return [
    `${m.status === 'FIRING' ? 'Firing' : 'Resolved'}: ${m.summary}`,
    '',
    `Rule: ${m.ruleId}`,
    `Severity: ${m.severity}`,
    `Labels: ${Object.entries(m.labels).map(([k, v]) => `${k}=${v}`).join(', ') || '(none)'}`,
    `Value: ${m.value ?? '(none)'}`,
    `At: ${m.occurredAt}`,
    `Alert id: ${m.eventId}`,
  ].join('\n');
}

/**
 * The channel is down or answered with a temporary failure: the delivery is retried, after
 * `retryAfterSeconds` when the channel said how long to wait (the activity's next retry delay:
 * src/activities/failure.ts).
 */
export class ChannelUnavailableError extends AppError {
  constructor(channel: string, reason: string, cause?: unknown, retryAfterSeconds?: number) {
    super('alert-channel-unavailable', `Alert channel ${channel} unavailable: ${reason}`, { category: 'dependency', status: 503, severity: 'HIGH', retryable: true, cause, retryAfterSeconds });
  }
}

/** The channel refused the alert for good (bad address, 4xx): retrying cannot help. */
export class ChannelRejectedError extends AppError {
  constructor(channel: string, reason: string, cause?: unknown) {
    super('alert-channel-rejected', `Alert channel ${channel} refused the alert: ${reason}`, { category: 'dependency', status: 502, severity: 'HIGH', cause });
  }
}
