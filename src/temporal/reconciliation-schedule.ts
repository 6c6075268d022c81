/**
 * The reconciliation's Temporal Schedule (every RECONCILIATION_INTERVAL_MIN minutes), created at
 * worker start idempotently: an existing schedule is brought in line with the settings, and an
 * operator's pause is kept. Also the two ways to run one outside the schedule: at worker start, and
 * on an admin's request (waiting for the result).
 *
 * Policies are explicit (docs/temporal-notes.md#schedules): overlap SKIP, since a round still running
 * makes the next one redundant; a catch-up window of one interval, so a Temporal outage is
 * followed by one round, not by a burst of missed ones; pauseOnFailure off.
 *
 * @module
 */
import { randomUUID } from 'node:crypto';
import { type Client, ScheduleAlreadyRunning, type ScheduleOptionsAction, ScheduleOverlapPolicy, type ScheduleSpec } from '@temporalio/client';
import type { Actor } from '../audit/events.ts';
import type { Config } from '../config.ts';
import type { ReconciliationInput, ReconciliationSummary } from '../workflows/reconciliation.ts';

export const RECONCILIATION_WORKFLOW = 'reconciliationWorkflow';
const EXECUTION_TIMEOUT = '15 minutes';

/** Unique per deployment: the task queue names the deployment within a namespace. */
export function reconciliationScheduleId(config: Config): string {
  return `${config.temporal.TEMPORAL_TASK_QUEUE}-reconciliation`;
}

export function reconciliationScheduleSpec(config: Config): ScheduleSpec {
  return { intervals: [{ every: `${config.reconciliation.RECONCILIATION_INTERVAL_MIN} minutes` }] };
}

function reconciliationAction(config: Config): ScheduleOptionsAction {
  const input: ReconciliationInput = {};
  return {
    type: 'startWorkflow',
    workflowType: RECONCILIATION_WORKFLOW,
    workflowId: reconciliationScheduleId(config),
    taskQueue: config.temporal.TEMPORAL_TASK_QUEUE,
    args: [input],
    workflowExecutionTimeout: EXECUTION_TIMEOUT,
  };
}

function policies(config: Config) {
  return { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: `${config.reconciliation.RECONCILIATION_INTERVAL_MIN} minutes`, pauseOnFailure: false } as const;
}

/** Create the schedule, or update it to the current settings; returns whether it was created. */
export async function ensureReconciliationSchedule(client: Client, config: Config): Promise<'created' | 'updated'> {
  const scheduleId = reconciliationScheduleId(config);
  const spec = reconciliationScheduleSpec(config);
  const action = reconciliationAction(config);
  try {
    await client.schedule.create({ scheduleId, spec, action, policies: policies(config) });
    return 'created';
  } catch (err) {
    if (!(err instanceof ScheduleAlreadyRunning)) throw err;
    await client.schedule.getHandle(scheduleId).update((previous) => ({ spec, action, policies: policies(config), state: previous.state }));
    return 'updated';
  }
}

/**
 * One round at worker start, whatever the hour: what happened while no worker ran is looked at
 * now. Workers starting together join one run (same id, conflict policy USE_EXISTING).
 */
export async function startReconciliationAtWorkerStart(client: Client, config: Config): Promise<string> {
  const input: ReconciliationInput = { anyTime: true, requestedBy: { type: 'system', id: 'worker-start' } };
  const handle = await client.workflow.start(RECONCILIATION_WORKFLOW, {
    workflowId: `${reconciliationScheduleId(config)}-worker-start`,
    taskQueue: config.temporal.TEMPORAL_TASK_QUEUE,
    args: [input],
    workflowExecutionTimeout: EXECUTION_TIMEOUT,
    workflowIdConflictPolicy: 'USE_EXISTING',
    workflowIdReusePolicy: 'ALLOW_DUPLICATE',
  });
  return handle.workflowId;
}

export type ManualRun = { done: true; workflowId: string; summary: ReconciliationSummary } | { done: false; workflowId: string };

/** Reconcile one account now and wait up to `waitMs` for the result. */
export async function runReconciliationNow(client: Client, config: Config, accountId: string, requestedBy: Actor, waitMs: number): Promise<ManualRun> {
  const input: ReconciliationInput = { accountIds: [accountId], requestedBy, anyTime: true };
  const handle = await client.workflow.start(RECONCILIATION_WORKFLOW, {
    workflowId: `${reconciliationScheduleId(config)}-run-${randomUUID()}`,
    taskQueue: config.temporal.TEMPORAL_TASK_QUEUE,
    args: [input],
    workflowExecutionTimeout: EXECUTION_TIMEOUT,
  });
  // Stop waiting (and end the long poll) after waitMs; the run itself goes on.
  const signal = AbortSignal.timeout(waitMs);
  try {
    const summary = await client.withAbortSignal(signal, () => handle.result() as Promise<ReconciliationSummary>);
    return { done: true, workflowId: handle.workflowId, summary };
  } catch (err) {
    if (signal.aborted) return { done: false, workflowId: handle.workflowId };
    throw err;
  }
}
