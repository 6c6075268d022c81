/**
 * The exit phase: send a market order closing what the position holds and wait for it. A fill
 * closes the trade and realizes the P&L; a partial fill closes that part and sends the rest; an
 * exit that does not fill goes back to holding (an automatic one is asked for again after a delay).
 *
 * @module
 */
import * as wf from '@temporalio/workflow';
import type { LegResult } from '../../activities/orders.ts';
import { failureMessage } from '../failures.ts';
import type { ExitRequest } from '../messages.ts';
import { circuitBreaker, records, reportBrokerFailure } from './activities.ts';
import { sendLeg } from './legs.ts';
import { untilOrderDone } from './order-watch.ts';
import { legOf, setStatus, type TradeRun } from './run.ts';
import { sendSlices, slicesOf } from './slices.ts';

/** Delay before retrying an automatic exit that did not fill (market closed, broker refused). */
const EXIT_RETRY = '30 seconds';

/** Exit once; true when the trade closed, false when it goes back to holding. */
export async function exitPosition(run: TradeRun, exit: ExitRequest): Promise<boolean> {
  const { input, hold, hardened } = run;
  const { tradeId, accountId } = input;
  setStatus(run, await records.markExiting(tradeId, exit.reason, exit.requestedBy, exit.requestId));
  const order = legOf(run, 'EXIT', hold.exitAttempt++);
  // the tick's time goes with the first order sent for it only (a retry or the rest of a partial fill is not counted again)
  if (exit.triggered) order.triggered = exit.triggered;
  exit.triggered = undefined;
  const slices = slicesOf(run, order);
  let result: LegResult;
  try {
    result = slices.length > 1 ? await sendSlices(run, slices, false) : await sendLeg(order);
  } catch (err) {
    if (!hardened) throw err;
    // Not sent as far as we know (the next attempt looks this tag up before it sends).
    await reportBrokerFailure(run, err);
    result = { tag: order.tag, status: 'NOT_SENT', filledQuantity: 0, rejectReason: failureMessage(err), fills: [] };
  }
  if (slices.length === 1) result = await untilOrderDone(run, order, result, false);
  if (hardened && result.filledQuantity > 0 && result.filledQuantity < order.quantity) {
    const part = await records.recordPartialExit(tradeId, result);
    hold.exitedQuantity = part.exitedQuantity;
    // The rest goes out at once, for the same reason.
    run.pendingExit = exit;
    return false;
  }
  if (result.filledQuantity > 0) {
    const closed = await records.recordExitFill(tradeId, { ...result, status: 'FILLED' }, exit.reason);
    setStatus(run, closed.status);
    await circuitBreaker.reportTradeClosed(accountId, { tradeId, realizedPnlPaise: closed.realizedPnlPaise, dayLossPaise: closed.dayLossPaise, dailyLossLimitPaise: closed.dailyLossLimitPaise });
    return true;
  }
  setStatus(run, await records.recordExitNotFilled(tradeId, result));
  run.pendingExit = undefined;
  if (exit.reason !== 'REQUESTED') {
    await wf.sleep(EXIT_RETRY);
    run.pendingExit ??= exit;
  }
  return false;
}
