/**
 * Client side of the basket workflow: start-or-join with update-with-start (workflow id from the
 * idempotency key, so a retried request joins the same basket), as src/temporal/trades.ts does
 * for one trade.
 *
 * @module
 */
import { type Client, WithStartWorkflowOperation, WorkflowExecutionAlreadyStartedError, WorkflowUpdateRPCTimeoutOrCancelledError } from '@temporalio/client';
import type { Config } from '../config.ts';
import { UnavailableError } from '../domain/errors.ts';
import { basketWorkflowId } from '../domain/ids.ts';
import type { basketWorkflow } from '../workflows/basket.ts';
import { type BasketSummary, type BasketWorkflowInput, submitBasket as submitBasketUpdate } from '../workflows/basket-messages.ts';

/** How much longer than the workflow's own bounded wait the API waits before answering by itself. */
const NO_WORKER_GRACE_MS = 3000;
const DESCRIBE_DEADLINE_MS = 1000;

/**
 * Start the basket (or join the running one) and wait for its outcome. `undefined` when the
 * workflow already finished: the caller reads the basket from the database.
 */
export async function submitBasket(client: Client, config: Config, input: BasketWorkflowInput): Promise<BasketSummary | undefined> {
  const workflowId = basketWorkflowId(input.basketId);
  const operation = new WithStartWorkflowOperation<typeof basketWorkflow>('basketWorkflow', {
    workflowId,
    taskQueue: config.temporal.TEMPORAL_TASK_QUEUE,
    args: [input],
    workflowIdConflictPolicy: 'USE_EXISTING',
    // A finished basket's id is never reused: the same key must not trade twice.
    workflowIdReusePolicy: 'REJECT_DUPLICATE',
  });
  try {
    return await client.withDeadline(Date.now() + input.ackWaitMs + NO_WORKER_GRACE_MS, () =>
      client.workflow.executeUpdateWithStart(submitBasketUpdate, { args: [{ requestId: input.requestId }], startWorkflowOperation: operation }),
    );
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError) return undefined;
    if (!(err instanceof WorkflowUpdateRPCTimeoutOrCancelledError)) throw err;
    // No answer in time: PENDING if the workflow was started, otherwise "unknown" (the start may be on its way).
    try {
      await client.withDeadline(Date.now() + DESCRIBE_DEADLINE_MS, () => client.workflow.getHandle(workflowId).describe());
    } catch (cause) {
      throw new UnavailableError('The basket was sent to the workflow engine, which did not confirm it; retry with the same Idempotency-Key', cause);
    }
    return { basketId: input.basketId, status: 'PENDING', replayed: false, requestFingerprint: input.requestFingerprint };
  }
}
