/**
 * Messages and shapes of the alert evaluator and delivery workflows, shared by the workflows, the
 * activities and the client side.
 *
 * @module
 */
import { defineSignal } from '@temporalio/workflow';
import type { AlertMessage } from '../observability/alerts/message.ts';

export interface EvaluatorInput {
  /** When the audit chain was last walked (epoch ms), carried across continue-as-new. */
  lastAuditVerifyAt?: number | undefined;
}

/** What one evaluation hands back to the workflow. */
export interface EvaluationOutcome {
  firing: number;
  /** Notifications whose deliveries are still to be started (this run's and any left over). */
  notifications: AlertMessage[];
  channels: string[];
  /** The worker's settings, so a changed setting applies without restarting the workflow. */
  intervalSeconds: number;
  auditVerifyIntervalSeconds: number;
  delivery: DeliveryPolicy;
  /** The trading task queue: delivery workflow ids carry it (unique per deployment, and recorded for replay). */
  taskQueue: string;
}

export interface DeliveryPolicy {
  giveUpHours: number;
  maxRetrySeconds: number;
}

export interface DeliveryInput {
  channel: string;
  message: AlertMessage;
  policy: DeliveryPolicy;
}

/** Evaluate now instead of at the end of the interval (operators, tests). */
export const evaluateNow = defineSignal('evaluateNow');

/** One evaluator per task queue (and so per deployment): its id says which. */
export function alertEvaluatorWorkflowId(taskQueue: string): string {
  return `alert-evaluator-${taskQueue}`;
}

export function alertDeliveryWorkflowId(taskQueue: string, eventId: number, channel: string): string {
  return `alert-delivery-${taskQueue}-${eventId}-${channel}`;
}
