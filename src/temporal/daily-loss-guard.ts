/**
 * Client side of the per-account daily-loss guard (src/workflows/daily-loss-guard.ts): start it,
 * or tell the running one that a position may open. Used by the risk reservation (through the
 * circuit-breaker port) and by the worker at start, for positions opened before it ran.
 *
 * @module
 */
import type { Client } from '@temporalio/client';
import type { Config } from '../config.ts';
import { type DailyLossGuardInput, dailyLossGuardWorkflowId, positionMayOpen } from '../workflows/messages.ts';

export const DAILY_LOSS_GUARD_WORKFLOW = 'dailyLossGuardWorkflow';

/** One guard activity watches this long; the workflow's history grows by a few events a window. */
const GUARD_WINDOW_MS = 5 * 60_000;

/** Start the account's guard, or signal the running one (idempotent; a flat book ends it again). */
export async function ensureDailyLossGuard(client: Client, config: Config, accountId: string): Promise<void> {
  const input: DailyLossGuardInput = { accountId, windowMs: GUARD_WINDOW_MS };
  await client.workflow.signalWithStart(DAILY_LOSS_GUARD_WORKFLOW, {
    workflowId: dailyLossGuardWorkflowId(accountId),
    taskQueue: config.temporal.TEMPORAL_TASK_QUEUE,
    args: [input],
    signal: positionMayOpen,
    signalArgs: [],
  });
}
