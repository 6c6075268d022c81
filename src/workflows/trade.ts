/**
 * One trade, from request to close: reserve risk, send the entry, wait for its fill, hold the
 * position until an exit is requested, a stop-loss or target is hit, or the square-off time comes,
 * then exit and realize the P&L. Every step's effect is an activity; this code only decides.
 *
 * @module
 */
import * as wf from '@temporalio/workflow';
import type { Activities } from '../activities/index.ts';
import type { LegInput, LegResult } from '../activities/orders.ts';
import type { Actor } from '../audit/events.ts';
import type { Violation } from '../domain/risk/rules.ts';
import { closingSide, type ExitReason, type TradeStatus } from '../domain/trade.ts';
import { TRADE_ACCOUNT, TRADE_STATUS } from './search-attributes.ts';
import { failureCode, failureMessage } from './failures.ts';
import {
  cancelEntry,
  type ExitRequest,
  type HoldState,
  requestExit,
  submitEntry,
  type TradeSummary,
  tradeSummary,
  type TradeWorkflowInput,
} from './messages.ts';
import { untilInterrupted } from './scopes.ts';
import { cancelLeg, orderWatch, sendLeg } from './trade-legs.ts';

/** Database steps: quick, local to the worker, retried until the database answers. */
const db = wf.proxyLocalActivities<Activities>({
  startToCloseTimeout: '15 seconds',
  retry: { initialInterval: '200 milliseconds', backoffCoefficient: 2, maximumInterval: '10 seconds' },
});

const notify = wf.proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '30 seconds' },
});

/** A working entry or an exit order is polled in windows of this length... */
const ORDER_WINDOW_MS = 60_000;
/** ...and, once it has rested this many windows, in longer ones (a resting limit order can wait for days). */
const SHORT_ORDER_WINDOWS = 5;
const LONG_ORDER_WINDOW_MS = 4 * 60_000;
/** Stop-loss and target are watched in windows of this length. */
const WATCH_WINDOW_MS = 5 * 60_000;
/** With nothing to watch, the hold wakes up this often (to continue-as-new when suggested). */
const IDLE_WINDOW_MS = 60 * 60_000;
/** Delay before retrying an automatic exit that did not fill (market closed, broker refused). */
const EXIT_RETRY = '30 seconds';

const FINAL: readonly TradeStatus[] = ['REJECTED', 'CLOSED', 'FAILED', 'CANCELLED'];

/**
 * Broker faults never fail the trade (patched in: histories recorded before keep the old path).
 * An exit that cannot be sent or polled goes back to holding (automatic exits retry); an entry
 * whose cancel is refused keeps being watched; a cancel or exit asked for before the entry is sent
 * is honoured; an exit that fills in part closes that part and sends the rest.
 */
const LEGS_SURVIVE_BROKER_FAULTS = 'legs-survive-broker-faults';

export async function tradeWorkflow(input: TradeWorkflowInput): Promise<TradeSummary> {
  const hardened = wf.patched(LEGS_SURVIVE_BROKER_FAULTS);
  const { tradeId, accountId, request } = input;
  const self: Actor = { type: 'workflow', id: wf.workflowInfo().workflowId };
  let status: TradeStatus = input.resume ? 'OPEN' : 'PENDING';
  let violations: Violation[] | undefined;
  let entryDecided = input.resume !== undefined;
  let entrySubmissions = 0;
  let cancelRequested = false;
  let pendingExit: ExitRequest | undefined = input.resume?.pendingExit;
  const hold: HoldState = input.resume ?? { entryPricePaise: 0, filledQuantity: 0, exitAttempt: 1 };
  /** What the position still holds: its entry fill, less what partial exits closed. */
  const held = () => hold.filledQuantity - (hold.exitedQuantity ?? 0);

  const summary = (replayed = false): TradeSummary => ({ tradeId, status, violations, replayed, requestFingerprint: input.requestFingerprint });
  const setStatus = (next: TradeStatus) => {
    status = next;
    // Only when the starter registered our search attributes (not on the time-skipping test server).
    if (wf.workflowInfo().typedSearchAttributes.get(TRADE_ACCOUNT) !== undefined) wf.upsertSearchAttributes([{ key: TRADE_STATUS, value: next }]);
  };
  const decide = (next: TradeStatus) => {
    setStatus(next);
    entryDecided = true;
  };

  wf.setHandler(tradeSummary, () => summary());
  wf.setHandler(submitEntry, async () => {
    const replayed = entrySubmissions++ > 0;
    await wf.condition(() => entryDecided, input.ackWaitMs);
    return summary(replayed);
  });
  wf.setHandler(
    cancelEntry,
    () => {
      cancelRequested = true;
      return summary();
    },
    { validator: (_req) => assertStatus(status, ['PENDING'], 'Only a working entry can be cancelled') },
  );
  wf.setHandler(
    requestExit,
    (req) => {
      if (status === 'PENDING') {
        cancelRequested = true;
        // Should the entry fill before its cancel lands (a market order in flight), the position
        // this exit was asked for is closed at once.
        if (hardened) pendingExit ??= req;
      } else pendingExit ??= req;
      return summary();
    },
    { validator: (_req) => assertStatus(status, ['PENDING', 'OPEN', 'EXITING'], 'The trade has no position to exit') },
  );

  const leg = (kind: 'ENTRY' | 'EXIT', attempt: number): LegInput => ({
    tradeId,
    accountId,
    tag: `${tradeId}${kind === 'ENTRY' ? 'E' : 'X'}${attempt}`,
    leg: kind,
    instrument: request.instrument,
    side: kind === 'ENTRY' ? request.side : closingSide(request.side),
    quantity: kind === 'ENTRY' ? request.quantity : hardened ? held() : hold.filledQuantity,
    orderType: kind === 'ENTRY' ? request.orderType : 'MARKET',
    limitPricePaise: kind === 'ENTRY' ? request.limitPricePaise : undefined,
    strategyId: request.strategyId,
  });

  const reportBrokerFailure = (err: unknown) => notify.reportBrokerFailure(accountId, { tradeId, code: failureCode(err) ?? 'unknown', at: new Date().toISOString() });

  /**
   * Wait for a sent order to fill or end; a cancel request cancels it at the broker. Once hardened,
   * a refused cancel stops the cancelling (the order is watched until it ends) and a broker that
   * cannot be asked is asked again later: the order is live, so it is never given up on.
   */
  async function untilOrderDone(order: LegInput, result: LegResult, cancellable: boolean): Promise<LegResult> {
    let current = result;
    let cancelRefused = false;
    const cancelling = () => cancellable && cancelRequested && !cancelRefused;
    for (let windows = 0; current.status === 'OPEN' && current.brokerOrderId; windows++) {
      const id = current.brokerOrderId;
      if (cancelling()) {
        if (!hardened) {
          current = await cancelLeg(order, id);
          continue;
        }
        try {
          current = await cancelLeg(order, id);
        } catch (err) {
          cancelRefused = true;
          wf.log.warn('the broker refused to cancel a working order; watching it until it ends', { tradeId, tag: order.tag, error: failureMessage(err) });
        }
        continue;
      }
      const windowMs = hardened && windows >= SHORT_ORDER_WINDOWS ? LONG_ORDER_WINDOW_MS : ORDER_WINDOW_MS;
      let polled: LegResult | undefined;
      try {
        polled = await untilInterrupted(() => orderWatch.awaitOrder(order, id, windowMs, 500), cancelling);
      } catch (err) {
        if (!hardened) throw err;
        await reportBrokerFailure(err);
        await wf.sleep(EXIT_RETRY);
      }
      if (polled) current = polled;
    }
    return current;
  }

  async function enter(): Promise<boolean> {
    const decision = await db.reserveRisk({
      tradeId,
      accountId,
      request,
      requestFingerprint: input.requestFingerprint,
      requestedBy: input.requestedBy,
      clientIp: input.clientIp,
      requestId: input.requestId,
      source: input.source,
      signalId: input.signalId,
    });
    if (decision.outcome !== 'ACCEPTED') {
      violations = decision.violations.length ? decision.violations : undefined;
      decide(decision.status);
      return false;
    }
    if (hardened && cancelRequested) {
      // cancelled (or halted) while the risk check ran: the entry is never sent
      decide(await db.recordEntryClosed(tradeId, undefined, 'CANCELLED', 'cancelled before the entry was sent'));
      return false;
    }
    const order = leg('ENTRY', 1);
    let result: LegResult;
    try {
      result = await sendLeg(order);
    } catch (err) {
      await reportBrokerFailure(err);
      decide(await db.recordEntryClosed(tradeId, undefined, 'FAILED', failureMessage(err)));
      return false;
    }
    if (result.status === 'NOT_SENT') {
      await notify.reportBrokerFailure(accountId, { tradeId, code: 'broker-outcome-unknown', at: new Date().toISOString() });
      decide(await db.recordEntryClosed(tradeId, result, 'FAILED', 'the broker never received the entry order'));
      return false;
    }
    result = await untilOrderDone(order, result, true);
    if (result.filledQuantity > 0) {
      const entry = await db.recordEntryFill(tradeId, { ...result, status: 'FILLED' });
      Object.assign(hold, { entryPricePaise: entry.entryPricePaise, filledQuantity: entry.filledQuantity, squareOffAt: entry.squareOffAt });
      decide(entry.status);
      return entry.status === 'OPEN';
    }
    const ended = result.status === 'CANCELLED' ? 'CANCELLED' : 'REJECTED';
    decide(await db.recordEntryClosed(tradeId, result, ended, result.rejectReason ?? (ended === 'CANCELLED' ? 'cancelled on request' : 'rejected by the broker')));
    return false;
  }

  /** Hold the position until something says exit; continue-as-new keeps the history bounded. */
  async function holdPosition(): Promise<ExitRequest> {
    const system = (reason: ExitReason): ExitRequest => ({ reason, requestedBy: self });
    for (;;) {
      if (pendingExit) return pendingExit;
      const untilSquareOff = hold.squareOffAt ? Date.parse(hold.squareOffAt) - Date.now() : Infinity;
      if (untilSquareOff <= 0) return system('SQUARE_OFF');
      if (wf.workflowInfo().continueAsNewSuggested) {
        await wf.condition(wf.allHandlersFinished);
        await wf.continueAsNew<typeof tradeWorkflow>({ ...input, resume: { ...hold, pendingExit } });
      }
      if (request.stopLossPaise !== undefined || request.targetPaise !== undefined) {
        const watched = await untilInterrupted(
          () => orderWatch.watchExitTriggers({
            instrument: request.instrument,
            side: request.side,
            stopLossPaise: request.stopLossPaise,
            targetPaise: request.targetPaise,
            windowMs: Math.min(WATCH_WINDOW_MS, untilSquareOff),
          }),
          () => pendingExit !== undefined,
        );
        if (watched?.trigger) return system(watched.trigger);
      } else {
        await wf.condition(() => pendingExit !== undefined, Math.min(IDLE_WINDOW_MS, untilSquareOff));
      }
    }
  }

  /** Exit until filled: a refused automatic exit is retried; a refused requested exit goes back to holding. */
  async function exitPosition(exit: ExitRequest): Promise<boolean> {
    setStatus(await db.markExiting(tradeId, exit.reason, exit.requestedBy, exit.requestId));
    const order = leg('EXIT', hold.exitAttempt++);
    let result: LegResult;
    try {
      result = await sendLeg(order);
    } catch (err) {
      if (!hardened) throw err;
      // Not sent as far as we know (the next attempt looks this tag up before it sends).
      await reportBrokerFailure(err);
      result = { tag: order.tag, status: 'NOT_SENT', filledQuantity: 0, rejectReason: failureMessage(err), fills: [] };
    }
    result = await untilOrderDone(order, result, false);
    if (hardened && result.filledQuantity > 0 && result.filledQuantity < order.quantity) {
      const part = await db.recordPartialExit(tradeId, result);
      hold.exitedQuantity = part.exitedQuantity;
      // The rest goes out at once, for the same reason.
      pendingExit = exit;
      return false;
    }
    if (result.filledQuantity > 0) {
      const closed = await db.recordExitFill(tradeId, { ...result, status: 'FILLED' }, exit.reason);
      setStatus(closed.status);
      await notify.reportTradeClosed(accountId, { tradeId, realizedPnlPaise: closed.realizedPnlPaise, dayLossPaise: closed.dayLossPaise, dailyLossLimitPaise: closed.dailyLossLimitPaise });
      return true;
    }
    setStatus(await db.recordExitNotFilled(tradeId, result));
    pendingExit = undefined;
    if (exit.reason !== 'REQUESTED') {
      await wf.sleep(EXIT_RETRY);
      pendingExit ??= exit;
    }
    return false;
  }

  if (!input.resume) {
    if (wf.workflowInfo().typedSearchAttributes.get(TRADE_ACCOUNT) !== undefined) setStatus('PENDING');
    const opened = await enter();
    if (!opened) {
      await wf.condition(wf.allHandlersFinished);
      return summary();
    }
  }
  for (;;) {
    const exit = await holdPosition();
    if (await exitPosition(exit)) break;
  }
  await wf.condition(wf.allHandlersFinished);
  return summary();
}

function assertStatus(status: TradeStatus, allowed: TradeStatus[], message: string): void {
  if (!allowed.includes(status)) {
    throw wf.ApplicationFailure.nonRetryable(`${message} (status ${status})`, FINAL.includes(status) ? 'trade-final' : 'trade-state-conflict');
  }
}
