/**
 * Messages and inputs of the alert evaluator and delivery workflows, shared by the workflows and the
 * client side (what an evaluation returns is the activity's, in src/activities/alerts.ts).
 *
 * @module
 */
import { defineSignal } from '@temporalio/workflow';
import type { DeliveryPolicy } from '../activities/alerts.ts';
import type { AlertMessage } from '../observability/alerts/message.ts';

export interface EvaluatorInput {
  /** When the audit chain was last walked (epoch ms), carried across continue-as-new. */
  lastAuditVerifyAt?: number | undefined;
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
