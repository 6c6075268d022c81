/**
 * Client side of the per-account circuit breaker workflow: make sure it runs, message it, ask its
 * state. Used by the worker at start, by the API, and as the ports the activities and the restore
 * are given (circuitBreakerPort, restoreBreaker).
 *
 * @module
 */
import { type Client, WithStartWorkflowOperation } from '@temporalio/client';
import type { SignalDefinition } from '@temporalio/common';
import type { CircuitBreakerPort } from '../activities/ports.ts';
import type { Actor } from '../audit/events.ts';
import type { RestoreBreaker } from '../backup/trading-guard.ts';
import type { Config } from '../config.ts';
import {
  brokerFailed,
  type BreakerInput,
  type BreakerSettings,
  type BreakerState,
  breakerState,
  circuitBreakerWorkflowId,
  halt,
  type HaltRequest,
  reduce,
  resume,
  type ResumeRequest,
  tradeClosed,
} from '../workflows/messages.ts';
import { temporalReady } from './client.ts';
import { ensureDailyLossGuard } from './daily-loss-guard.ts';

export const CIRCUIT_BREAKER_WORKFLOW = 'circuitBreakerWorkflow';

export function breakerSettings(config: Config): BreakerSettings {
  return {
    brokerFailureThreshold: config.risk.BREAKER_BROKER_FAILURES,
    brokerFailureWindowMs: config.risk.BREAKER_BROKER_FAILURE_WINDOW_S * 1000,
    lossStreakThreshold: config.risk.BREAKER_LOSS_STREAK,
    lossCooldownMs: config.risk.BREAKER_LOSS_COOLDOWN_S * 1000,
  };
}

function startOperation(config: Config, accountId: string) {
  const input: BreakerInput = { accountId, settings: breakerSettings(config) };
  return new WithStartWorkflowOperation(CIRCUIT_BREAKER_WORKFLOW, {
    workflowId: circuitBreakerWorkflowId(accountId),
    taskQueue: config.temporal.TEMPORAL_TASK_QUEUE,
    args: [input],
    workflowIdConflictPolicy: 'USE_EXISTING',
  });
}

/** Start the account's breaker unless it runs (idempotent). */
export async function ensureCircuitBreaker(client: Client, config: Config, accountId: string): Promise<void> {
  const input: BreakerInput = { accountId, settings: breakerSettings(config) };
  await client.workflow.start(CIRCUIT_BREAKER_WORKFLOW, {
    workflowId: circuitBreakerWorkflowId(accountId),
    taskQueue: config.temporal.TEMPORAL_TASK_QUEUE,
    args: [input],
    workflowIdConflictPolicy: 'USE_EXISTING',
  });
}

export async function haltTrading(client: Client, config: Config, accountId: string, request: HaltRequest): Promise<BreakerState> {
  return client.workflow.executeUpdateWithStart(halt, { args: [request], startWorkflowOperation: startOperation(config, accountId) });
}

export async function resumeTrading(client: Client, config: Config, accountId: string, request: ResumeRequest): Promise<BreakerState> {
  return client.workflow.executeUpdateWithStart(resume, { args: [request], startWorkflowOperation: startOperation(config, accountId) });
}

export async function reduceTrading(client: Client, config: Config, accountId: string, reason: string, requestedBy: Actor, flatten?: boolean): Promise<BreakerState> {
  const request = flatten ? { reason, requestedBy, flatten } : { reason, requestedBy };
  return client.workflow.executeUpdateWithStart(reduce, { args: [request], startWorkflowOperation: startOperation(config, accountId) });
}

export async function readBreakerState(client: Client, accountId: string): Promise<BreakerState | undefined> {
  try {
    return await client.workflow.getHandle(circuitBreakerWorkflowId(accountId)).query(breakerState);
  } catch {
    return undefined;
  }
}

/** Deliver a signal, starting the breaker first when it does not run. */
export async function signalCircuitBreaker<T extends unknown[]>(
  client: Client,
  config: Config,
  accountId: string,
  signal: SignalDefinition<T>,
  ...args: T
): Promise<void> {
  const input: BreakerInput = { accountId, settings: breakerSettings(config) };
  await client.workflow.signalWithStart(CIRCUIT_BREAKER_WORKFLOW, {
    workflowId: circuitBreakerWorkflowId(accountId),
    taskQueue: config.temporal.TEMPORAL_TASK_QUEUE,
    args: [input],
    signal: signal as SignalDefinition<unknown[]>,
    signalArgs: args as unknown[],
  });
}

/** The activities' port to the account's circuit breaker. */
export function circuitBreakerPort(client: Client, config: Config): CircuitBreakerPort {
  return {
    async reduce(accountId, reason, requestedBy, flatten) {
      await reduceTrading(client, config, accountId, reason, requestedBy, flatten);
    },
    guardDailyLoss: (accountId) => ensureDailyLossGuard(client, config, accountId),
    tradeClosed: (accountId, closed) => signalCircuitBreaker(client, config, accountId, tradeClosed, closed),
    brokerFailed: (accountId, failure) => signalCircuitBreaker(client, config, accountId, brokerFailed, failure),
  };
}

/** The circuit breaker as a forced restore halts trading through it. */
export function restoreBreaker(client: Client, config: Config): RestoreBreaker {
  return {
    reachable: () => temporalReady(client),
    async halt(accountId, reason, requestedBy) {
      const state = await haltTrading(client, config, accountId, { reason, flatten: false, requestedBy });
      return state.tradingState;
    },
  };
}
