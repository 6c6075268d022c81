/**
 * Client side of the trade workflow: start-or-join with update-with-start (workflow id from the
 * idempotency key, so a retried request joins the same trade), and the exit and cancel updates
 * (for the API, and as the activities' port to running trades).
 *
 * @module
 */
import { type Client, WithStartWorkflowOperation, WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError, WorkflowUpdateRPCTimeoutOrCancelledError } from '@temporalio/client';
import { UnavailableError } from '../domain/errors.ts';
import type { Config } from '../config.ts';
import { tradeWorkflowId } from '../domain/ids.ts';
import type { tradeWorkflow } from '../workflows/trade.ts';
import { cancelEntry, changeProtection, type ExitRequest, priceCrossed, type ProtectionChange, protectionChanged, requestExit, submitEntry, TRADE_TASK_TIMEOUT_MS, type TradeSummary, type TradeWorkflowInput } from '../workflows/messages.ts';
import { TRADE_ACCOUNT, TRADE_SIDE, TRADE_STATUS, TRADE_SYMBOL } from '../workflows/search-attributes.ts';
import type { TradesPort } from '../activities/ports.ts';
import type { Actor } from '../audit/events.ts';

/**
 * Start the trade (or join the running one) and wait for its entry outcome. `undefined` when the
 * workflow already finished: the caller reads the trade from the database.
 */
export async function submitTrade(client: Client, config: Config, input: TradeWorkflowInput): Promise<TradeSummary | undefined> {
  const operation = new WithStartWorkflowOperation<typeof tradeWorkflow>('tradeWorkflow', {
    workflowId: tradeWorkflowId(input.tradeId),
    taskQueue: config.temporal.TEMPORAL_TASK_QUEUE,
    args: [input],
    workflowIdConflictPolicy: 'USE_EXISTING',
    // A finished trade's id is never reused: the same key must not trade twice.
    workflowIdReusePolicy: 'REJECT_DUPLICATE',
    // its first task reserves the risk and places the entry (src/workflows/trade/legs.ts)
    workflowTaskTimeout: TRADE_TASK_TIMEOUT_MS,
    typedSearchAttributes: [
      { key: TRADE_ACCOUNT, value: input.accountId },
      { key: TRADE_SYMBOL, value: input.request.instrument.symbol },
      { key: TRADE_SIDE, value: input.request.side },
      { key: TRADE_STATUS, value: 'PENDING' },
    ],
  });
  try {
    // The workflow bounds its own wait; this bounds ours when no worker is there to answer at all.
    return await client.withDeadline(Date.now() + input.ackWaitMs + NO_WORKER_GRACE_MS, () =>
      client.workflow.executeUpdateWithStart(submitEntry, { args: [{ requestId: input.requestId }], startWorkflowOperation: operation }),
    );
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError) return undefined;
    if (err instanceof WorkflowUpdateRPCTimeoutOrCancelledError) return pendingIfStarted(client, input);
    throw err;
  }
}

/** How much longer than the workflow's own bounded wait the API waits before answering PENDING by itself. */
const NO_WORKER_GRACE_MS = 3000;
/** The look-up after an unanswered start: a frozen server must not hold the answer. */
const DESCRIBE_DEADLINE_MS = 1000;

/**
 * No answer in time (no worker polling, or a slow one): the trade is PENDING if its workflow was
 * started (it is durable and will run when a worker comes back); otherwise the caller may retry
 * with the same key.
 */
async function pendingIfStarted(client: Client, input: TradeWorkflowInput): Promise<TradeSummary> {
  try {
    await client.withDeadline(Date.now() + DESCRIBE_DEADLINE_MS, () => client.workflow.getHandle(tradeWorkflowId(input.tradeId)).describe());
  } catch (err) {
    // Not seen is not "not started": the start may still be on its way. The API answers "unknown".
    throw new UnavailableError('The trade was sent to the workflow engine, which did not confirm it; retry with the same Idempotency-Key', err);
  }
  return { tradeId: input.tradeId, status: 'PENDING', replayed: false, requestFingerprint: input.requestFingerprint };
}

export async function exitTrade(client: Client, tradeId: string, request: ExitRequest): Promise<TradeSummary> {
  return client.workflow.getHandle(tradeWorkflowId(tradeId)).executeUpdate(requestExit, { args: [request] });
}

/** Change the stop-loss or target of an open trade; answers once the resting orders are moved. */
export async function changeTradeProtection(client: Client, tradeId: string, change: ProtectionChange): Promise<TradeSummary> {
  return client.workflow.getHandle(tradeWorkflowId(tradeId)).executeUpdate(changeProtection, { args: [change] });
}

export async function cancelTrade(client: Client, tradeId: string, requestedBy: Actor, requestId?: string): Promise<TradeSummary> {
  return client.workflow.getHandle(tradeWorkflowId(tradeId)).executeUpdate(cancelEntry, { args: [{ requestedBy, requestId }] });
}

/** Cancel a working entry or ask for an exit, by workflow id (as the trades table records it). */
export function tradeControls(client: Client): Pick<TradesPort, 'cancelEntry' | 'requestExit'> {
  return {
    async cancelEntry(workflowId, requestedBy) {
      await client.workflow.getHandle(workflowId).executeUpdate(cancelEntry, { args: [{ requestedBy }] });
    },
    async requestExit(workflowId, reason, requestedBy) {
      await client.workflow.getHandle(workflowId).executeUpdate(requestExit, { args: [{ reason, requestedBy }] });
    },
  };
}

/** The activities' port to running trades (by workflow id, as the trades table records it). */
export function tradesPort(client: Client, config: Config): TradesPort {
  return {
    async startTrade(input, ackWaitMs) {
      return (await submitTrade(client, config, { ...input, ackWaitMs }))?.status;
    },
    ...tradeControls(client),
    priceCrossed: (workflowId, crossed) => told(() => client.workflow.getHandle(workflowId).signal(priceCrossed, crossed)),
    protectionChanged: (workflowId) => told(() => client.workflow.getHandle(workflowId).signal(protectionChanged)),
  };
}

/** A signal sent, or 'gone' when its workflow has finished (or never ran); other failures throw. */
async function told(signal: () => Promise<void>): Promise<'told' | 'gone'> {
  try {
    await signal();
    return 'told';
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return 'gone';
    throw err;
  }
}
