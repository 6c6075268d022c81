/**
 * Long timers on Temporal's time-skipping test server: the intraday square-off hours after entry,
 * the losing-streak cool-down that ends by itself, and the minimum hold of a halt. The workflows
 * are the real ones; their activities are stand-ins that record what the workflow asked for,
 * because wall-clock hours cannot pass in a database (the activities themselves are tested
 * against PostgreSQL elsewhere).
 */
import { randomUUID } from 'node:crypto';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Activities } from '../../src/activities/index.ts';
import type { StateChange } from '../../src/activities/trading-state.ts';
import { breakerState, halt, requestExit, resume, tradeClosed } from '../../src/workflows/messages.ts';
import { workflowBundleCode } from '../support/stack.ts';
import { filledLeg, standInTrade } from '../support/trade-stand-ins.ts';

let env: TestWorkflowEnvironment;
beforeAll(async () => {
  env = await TestWorkflowEnvironment.createTimeSkipping({ server: { executable: { type: 'existing-path', path: inject('temporalTestServer') } } });
});
afterAll(async () => env?.teardown());

const HOUR = 3_600_000;

function tradeActivities(log: string[], squareOffInMs: number | undefined): Partial<Activities> {
  return {
    reserveRisk: async () => ({ outcome: 'ACCEPTED', violations: [], status: 'PENDING' }),
    placeOrder: async (leg) => {
      log.push(`place:${leg.leg}`);
      return filledLeg(leg);
    },
    recordEntryFill: async () => ({ status: 'OPEN', entryPricePaise: 100_00, filledQuantity: 10, squareOffAt: squareOffInMs === undefined ? undefined : new Date(Date.now() + squareOffInMs).toISOString() }),
    markExiting: async (_id, reason) => {
      log.push(`exit:${reason}`);
      return 'EXITING';
    },
    recordExitFill: async () => ({ status: 'CLOSED', realizedPnlPaise: 0, dayLossPaise: 0, dailyLossLimitPaise: 1 }),
    reportTradeClosed: async () => {},
    reportBrokerFailure: async () => {},
  };
}

async function withWorker<T>(activities: Partial<Activities>, fn: (taskQueue: string) => Promise<T>): Promise<T> {
  const taskQueue = `timers-${randomUUID()}`;
  const worker = await Worker.create({ connection: env.nativeConnection, taskQueue, workflowBundle: { code: workflowBundleCode() }, activities });
  return worker.runUntil(fn(taskQueue));
}

describe('the trade workflow', () => {
  it('squares an intraday position off at the square-off time, hours after entry', async () => {
    const log: string[] = [];
    await withWorker(tradeActivities(log, 6 * HOUR), (taskQueue) =>
      env.client.workflow.execute('tradeWorkflow', { taskQueue, workflowId: `trade-${randomUUID()}`, args: [standInTrade()] }),
    );
    expect(log).toEqual(['place:ENTRY', 'exit:SQUARE_OFF', 'place:EXIT']);
  });

  it('holds a delivery position through the day when nothing asks it to exit', async () => {
    const log: string[] = [];
    await withWorker(tradeActivities(log, undefined), async (taskQueue) => {
      const handle = await env.client.workflow.start('tradeWorkflow', { taskQueue, workflowId: `trade-${randomUUID()}`, args: [standInTrade({ request: { ...standInTrade().request, intraday: false } })] });
      await env.sleep('3 days');
      expect(log).toEqual(['place:ENTRY']);
      await handle.executeUpdate(requestExit, { args: [{ reason: 'REQUESTED', requestedBy: { type: 'user', id: 'tester' } }] });
      await handle.result();
    });
    expect(log).toEqual(['place:ENTRY', 'exit:REQUESTED', 'place:EXIT']);
  });

  it('continues a held position after continue-as-new straight into holding and exiting', async () => {
    const log: string[] = [];
    await withWorker(tradeActivities(log, undefined), async (taskQueue) => {
      const handle = await env.client.workflow.start('tradeWorkflow', {
        taskQueue,
        workflowId: `trade-${randomUUID()}`,
        args: [standInTrade({ resume: { entryPricePaise: 100_00, filledQuantity: 10, exitAttempt: 1, pendingExit: { reason: 'TARGET', requestedBy: { type: 'system', id: 'x' } } } })],
      });
      await handle.result();
    });
    expect(log).toEqual(['exit:TARGET', 'place:EXIT']);
  });
});

describe('the circuit breaker', () => {
  const settings = { brokerFailureThreshold: 5, brokerFailureWindowMs: 300_000, lossStreakThreshold: 3, lossCooldownMs: 30 * 60_000 };
  const recorder = (changes: StateChange[]): Partial<Activities> => ({
    applyTradingState: async (change) => void changes.push(change),
    cancelWorkingEntries: async () => 0,
    flattenPositions: async () => 0,
    bookIsFlat: async () => true,
  });

  it('halts for a cool-down after a losing streak, then resumes by itself', async () => {
    const changes: StateChange[] = [];
    await withWorker(recorder(changes), async (taskQueue) => {
      const handle = await env.client.workflow.start('circuitBreakerWorkflow', { taskQueue, workflowId: `cb-${randomUUID()}`, args: [{ accountId: 'acct', settings }] });
      for (let i = 0; i < 3; i++) await handle.signal(tradeClosed, { tradeId: `t${i}`, realizedPnlPaise: -100, dayLossPaise: 300, dailyLossLimitPaise: 1_000_000 });
      await env.sleep('1 minute');
      expect((await handle.query(breakerState)).tradingState).toBe('HALTED');
      await expect(handle.executeUpdate(resume, { args: [{ requestedBy: { type: 'user', id: 'admin' } }] })).rejects.toBeInstanceOf(WorkflowUpdateFailedError);
      await env.sleep('31 minutes');
      expect((await handle.query(breakerState)).tradingState).toBe('ACTIVE');
      await handle.terminate();
    });
    expect(changes.map((c) => [c.state, c.reason.split(':')[0]])).toEqual([
      ['HALTED', 'LOSS_STREAK'],
      ['ACTIVE', 'cool-down ended'],
    ]);
  });

  it('refuses to resume before the minimum hold, and resumes after it', async () => {
    const changes: StateChange[] = [];
    await withWorker(recorder(changes), async (taskQueue) => {
      const handle = await env.client.workflow.start('circuitBreakerWorkflow', { taskQueue, workflowId: `cb-${randomUUID()}`, args: [{ accountId: 'acct', settings }] });
      const admin = { type: 'user' as const, id: 'admin' };
      await handle.executeUpdate(halt, { args: [{ reason: 'review', flatten: false, requestedBy: admin, minimumHoldMs: 2 * HOUR }] });
      await expect(handle.executeUpdate(resume, { args: [{ requestedBy: admin }] })).rejects.toBeInstanceOf(WorkflowUpdateFailedError);
      await env.sleep('2 hours');
      expect((await handle.executeUpdate(resume, { args: [{ requestedBy: admin }] })).tradingState).toBe('ACTIVE');
      await handle.terminate();
    });
    expect(changes.map((c) => c.state)).toEqual(['HALTED', 'ACTIVE']);
  });
});
