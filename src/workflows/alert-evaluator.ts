/**
 * The alert evaluator: one long-lived workflow per deployment (a fixed workflow id per task queue,
 * started with "use existing"), so exactly one evaluator runs however many workers there are.
 * Every ALERT_EVAL_INTERVAL_S it runs one evaluation activity, starts a delivery workflow per
 * notification and channel (abandoned children: a channel that is down retries on its own
 * without holding up the next evaluation), and walks the audit chain every
 * AUDIT_VERIFY_INTERVAL_S. It continues as new every hundred evaluations or when Temporal
 * suggests it, so its history stays small.
 *
 * Why a workflow loop and not a Schedule every 30 s: the loop needs no schedule to be created
 * and kept in sync with the settings (the interval comes back from each evaluation, so a changed
 * setting applies at once), can be woken early by a signal, and keeps the audit walk running
 * beside the evaluations instead of overlapping runs a Schedule would have to skip.
 *
 * @module
 */
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import * as wf from '@temporalio/workflow';
import type { EvaluationOutcome } from '../activities/alerts.ts';
import type { Activities } from '../activities/index.ts';
import { alertDeliveryWorkflow } from './alert-delivery.ts';
import { alertDeliveryWorkflowId, evaluateNow, type EvaluatorInput } from './alert-messages.ts';

const act = wf.proxyActivities<Activities>({
  startToCloseTimeout: '2 minutes',
  retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '30 seconds', maximumAttempts: 3 },
});
const walk = wf.proxyActivities<Activities>({
  startToCloseTimeout: '1 hour',
  heartbeatTimeout: '2 minutes',
  retry: { initialInterval: '10 seconds', maximumAttempts: 2 },
});

const EVALUATIONS_PER_RUN = 100;
/** Until the first evaluation answers, the settings' defaults. */
const DEFAULT_INTERVAL_S = 30;

export async function alertEvaluatorWorkflow(input: EvaluatorInput = {}): Promise<void> {
  let lastAuditVerifyAt = input.lastAuditVerifyAt;
  let wake = false;
  let walking: Promise<void> | undefined;
  wf.setHandler(evaluateNow, () => {
    wake = true;
  });

  for (let n = 0; n < EVALUATIONS_PER_RUN && !wf.workflowInfo().continueAsNewSuggested; n++) {
    let outcome: EvaluationOutcome | undefined;
    try {
      outcome = await act.evaluateAlerts();
      await dispatch(outcome);
    } catch (err) {
      // A failed evaluation (database down) must not end the evaluator: the next one tries again.
      wf.log.error('alert evaluation failed', { error: err instanceof Error ? err.message : String(err) });
    }
    const auditEvery = (outcome?.auditVerifyIntervalSeconds ?? 0) * 1000;
    if (auditEvery > 0 && !walking && (lastAuditVerifyAt === undefined || Date.now() - lastAuditVerifyAt >= auditEvery)) {
      lastAuditVerifyAt = Date.now();
      walking = walk.verifyAuditChain().then(
        () => {
          walking = undefined;
        },
        (err: unknown) => {
          walking = undefined;
          wf.log.error('audit chain walk failed', { error: err instanceof Error ? err.message : String(err) });
        },
      );
    }
    wake = false;
    await wf.condition(() => wake, `${outcome?.intervalSeconds ?? DEFAULT_INTERVAL_S} seconds`);
  }
  await walking;
  await wf.condition(wf.allHandlersFinished);
  await wf.continueAsNew<typeof alertEvaluatorWorkflow>({ lastAuditVerifyAt });
}

/** Start one delivery workflow per notification and channel, then mark the notifications dispatched. */
async function dispatch(outcome: EvaluationOutcome): Promise<void> {
  if (!outcome.notifications.length) return;
  for (const message of outcome.notifications) {
    for (const channel of outcome.channels) {
      try {
        await wf.startChild(alertDeliveryWorkflow, {
          workflowId: alertDeliveryWorkflowId(outcome.taskQueue, message.eventId, channel),
          args: [{ channel, message, policy: outcome.delivery }],
          parentClosePolicy: 'ABANDON',
        });
      } catch (err) {
        // Already running (an earlier attempt started it): that delivery is under way.
        if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
      }
    }
  }
  await act.markAlertsDispatched(outcome.notifications.map((m) => m.eventId));
}
