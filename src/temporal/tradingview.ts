/**
 * Client side of the TradingView alert workflow: start it once per alert. Its workflow id comes
 * from the alert's identity, so a resent alert finds it started (docs/tradingview.md).
 *
 * @module
 */
import { createHash } from 'node:crypto';
import { type Client, WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import type { AlertInput } from '../activities/tradingview.ts';
import type { Config } from '../config.ts';
import type { tradingViewAlertWorkflow } from '../workflows/tradingview-alert.ts';

export function alertWorkflowId(strategyId: string, orderId: string, time: string): string {
  return `tradingview-${createHash('sha256').update(`${strategyId}\u0000${orderId}\u0000${time}`).digest('hex').slice(0, 32)}`;
}

/** Start the alert's workflow; false when it was already started (the same alert came before). */
export async function startAlertWorkflow(client: Client, config: Config, input: AlertInput): Promise<boolean> {
  try {
    await client.workflow.start<typeof tradingViewAlertWorkflow>('tradingViewAlertWorkflow', {
      workflowId: alertWorkflowId(input.strategyId, input.alert.orderId, input.alert.time),
      taskQueue: config.temporal.TEMPORAL_TASK_QUEUE,
      args: [input],
      workflowIdReusePolicy: 'REJECT_DUPLICATE',
    });
    return true;
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError) return false;
    throw err;
  }
}
