/**
 * Client side of the alert evaluator: make sure the one evaluator of this task queue runs, and
 * wake it for an evaluation now.
 *
 * @module
 */
import type { Client } from '@temporalio/client';
import type { Config } from '../config.ts';
import { alertEvaluatorWorkflowId, evaluateNow, type EvaluatorInput } from '../workflows/alert-messages.ts';

export const ALERT_EVALUATOR_WORKFLOW = 'alertEvaluatorWorkflow';

/** Start the evaluator unless it runs (idempotent: every worker calls this at start). */
export async function ensureAlertEvaluator(client: Client, config: Config): Promise<void> {
  const input: EvaluatorInput = {};
  await client.workflow.start(ALERT_EVALUATOR_WORKFLOW, {
    workflowId: alertEvaluatorWorkflowId(config.temporal.TEMPORAL_TASK_QUEUE),
    taskQueue: config.temporal.TEMPORAL_TASK_QUEUE,
    args: [input],
    workflowIdConflictPolicy: 'USE_EXISTING',
  });
}

export async function wakeAlertEvaluator(client: Client, config: Config): Promise<void> {
  await client.workflow.getHandle(alertEvaluatorWorkflowId(config.temporal.TEMPORAL_TASK_QUEUE)).signal(evaluateNow);
}
