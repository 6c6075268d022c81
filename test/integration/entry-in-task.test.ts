/**
 * The entry placed in the trade's first workflow task (src/workflows/trade/legs.ts
 * `placeEntryInTask`), on Temporal's time-skipping test server: the real trade workflow with
 * stand-in activities that record how each placement was asked for (in the task or as an
 * activity, and by when it must have been sent). That an attempt past its deadline sends nothing
 * is tested on the real activity (trade-activities.test.ts); a worker killed at each step of this
 * path, in crash.test.ts.
 */
import { randomUUID } from 'node:crypto';
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import type { Activities } from '../../src/activities/index.ts';
import type { LegInput, LegResult } from '../../src/activities/orders.ts';
import { submitEntry, TRADE_TASK_TIMEOUT_MS, tradeSummary } from '../../src/workflows/messages.ts';
import { workflowBundleCode } from '../support/stack.ts';
import { filledLeg, standInTrade } from '../support/trade-stand-ins.ts';

let env: TestWorkflowEnvironment;
beforeAll(async () => {
  env = await TestWorkflowEnvironment.createTimeSkipping({ server: { executable: { type: 'existing-path', path: inject('temporalTestServer') } } });
});
afterAll(async () => env?.teardown());

interface Placement {
  step: 'place' | 'settle';
  local: boolean;
  taskDeadline: number | undefined;
}

/** The trade's activities, with `placeInTask` deciding what a placement in the workflow task does. */
function tradeActivities(log: Placement[], placeInTask: (leg: LegInput) => LegResult = filledLeg): Partial<Activities> {
  const note = (step: Placement['step'], leg: LegInput) => log.push({ step, local: Context.current().info.isLocal, taskDeadline: leg.taskDeadline });
  return {
    reserveRisk: async () => ({ outcome: 'ACCEPTED', violations: [], status: 'PENDING' }),
    placeOrder: async (leg) => {
      note('place', leg);
      return Context.current().info.isLocal ? placeInTask(leg) : filledLeg(leg);
    },
    settleOrder: async (leg) => {
      note('settle', leg);
      return filledLeg(leg);
    },
    recordEntryFill: async () => ({ status: 'OPEN', entryPricePaise: 100_00, filledQuantity: 10, squareOffAt: undefined }),
    reportBrokerFailure: async () => {},
  };
}


/**
 * Start a trade (the API also sends the entry's update at once), take its entry's status (after
 * `settling`, the time a settle's looks may take), and its history.
 */
async function enterTrade(activities: Partial<Activities>, taskTimeoutMs: number | undefined, settling?: string) {
  const taskQueue = `entry-in-task-${randomUUID()}`;
  const worker = await Worker.create({ connection: env.nativeConnection, taskQueue, workflowBundle: { code: workflowBundleCode() }, activities });
  return worker.runUntil(async () => {
    const handle = await env.client.workflow.start('tradeWorkflow', { taskQueue, workflowId: `trade-${randomUUID()}`, args: [standInTrade({ request: { ...standInTrade().request, intraday: false } })], ...(taskTimeoutMs ? { workflowTaskTimeout: taskTimeoutMs } : {}) });
    let summary = await handle.executeUpdate(submitEntry, { args: [{ requestId: 'r' }] });
    if (settling) {
      await env.sleep(settling);
      summary = await handle.query(tradeSummary);
    }
    const { events } = await handle.fetchHistory();
    await handle.terminate('test over');
    return { status: summary.status, events: events! };
  });
}

it('reserves, places and records the entry in one workflow task, sending only while it can hear back before the task could pass to another worker', async () => {
  const log: Placement[] = [];
  const { status, events } = await enterTrade(tradeActivities(log), TRADE_TASK_TIMEOUT_MS);
  expect(status).toBe('OPEN');
  expect(log.map(({ step, local }) => ({ step, local }))).toEqual([{ step: 'place', local: true }]);
  // the deadline is the first task's own: from its start, the task timeout
  const firstTask = events.find((e) => e.workflowTaskStartedEventAttributes)!;
  const startedAt = Number(firstTask.eventTime!.seconds) * 1000 + Math.floor((firstTask.eventTime!.nanos ?? 0) / 1e6);
  expect(log[0]!.taskDeadline).toBe(startedAt + TRADE_TASK_TIMEOUT_MS);
  expect(events.filter((e) => e.activityTaskScheduledEventAttributes)).toHaveLength(0);
});

it('places the entry with an activity when the attempt in the task fails, the activity looking the tag up first', async () => {
  const log: Placement[] = [];
  const { status, events } = await enterTrade(
    tradeActivities(log, () => {
      throw ApplicationFailure.retryable('order not sent: too little time left in this attempt to send it and hear back', 'broker-unavailable');
    }),
    TRADE_TASK_TIMEOUT_MS,
  );
  expect(status).toBe('OPEN');
  expect(log.map(({ step, local }) => ({ step, local }))).toEqual([
    { step: 'place', local: true },
    { step: 'place', local: false },
  ]);
  // the activity is timed by its own attempt, not by the task
  expect(log[1]!.taskDeadline).toBeUndefined();
  expect(events.filter((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'placeOrder')).toHaveLength(1);
});

it('settles an unclear answer in the task by the tag, never placing the entry again', async () => {
  const log: Placement[] = [];
  const { status } = await enterTrade(
    tradeActivities(log, () => {
      throw ApplicationFailure.retryable('POST order: timed out', 'broker-outcome-unknown');
    }),
    TRADE_TASK_TIMEOUT_MS,
    '1 minute',
  );
  expect(status).toBe('OPEN');
  expect(log.map(({ step, local }) => ({ step, local }))).toEqual([
    { step: 'place', local: true },
    { step: 'settle', local: false },
  ]);
});

it('places the entry of a trade started with a shorter task timeout (before this code) with an activity', async () => {
  const log: Placement[] = [];
  const { status, events } = await enterTrade(tradeActivities(log), undefined);
  expect(status).toBe('OPEN');
  expect(log.map(({ step, local }) => ({ step, local }))).toEqual([{ step: 'place', local: false }]);
  const patches = events.filter((e) => e.markerRecordedEventAttributes?.markerName === 'core_patch');
  expect(patches).toHaveLength(1);
});
