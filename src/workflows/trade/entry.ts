/**
 * The entry phase: reserve risk, send the entry order, wait for it to fill or end (cancelled on
 * request), and record the outcome. Ends with an open position, or with the trade decided
 * otherwise (rejected, cancelled, failed).
 *
 * @module
 */
import type { LegInput, LegResult } from '../../activities/orders.ts';
import { failureMessage } from '../failures.ts';
import { circuitBreaker, records, reportBrokerFailure } from './activities.ts';
import { placeEntryInTask, sendLeg } from './legs.ts';
import { untilOrderDone } from './order-watch.ts';
import { decide, legOf, type TradeRun } from './run.ts';
import { sendSlices, slicesOf } from './slices.ts';

/** Enter the trade; true when a position is open to hold. */
export async function enter(run: TradeRun): Promise<boolean> {
  const { input, hold } = run;
  const { tradeId, accountId } = input;
  const decision = await records.reserveRisk({
    tradeId,
    accountId,
    request: input.request,
    requestFingerprint: input.requestFingerprint,
    requestedBy: input.requestedBy,
    clientIp: input.clientIp,
    requestId: input.requestId,
    source: input.source,
    signalId: input.signalId,
    ...(run.slices ? { freezeSlicing: true } : {}),
    ...(input.basketId ? { basketId: input.basketId } : {}),
  });
  if (decision.outcome !== 'ACCEPTED') {
    run.violations = decision.violations.length ? decision.violations : undefined;
    decide(run, decision.status);
    return false;
  }
  if (run.hardened && run.cancelRequested) {
    // cancelled (or halted) while the risk check ran: the entry is never sent
    decide(run, await records.recordEntryClosed(tradeId, undefined, 'CANCELLED', 'cancelled before the entry was sent'));
    return false;
  }
  if (run.slices) hold.maxSlice = decision.maxSliceQuantity;
  const order = legOf(run, 'ENTRY', 1);
  const slices = slicesOf(run, order);
  let result: LegResult;
  try {
    result = await sendEntry(run, order, slices);
  } catch (err) {
    await reportBrokerFailure(run, err);
    decide(run, await records.recordEntryClosed(tradeId, undefined, 'FAILED', failureMessage(err)));
    return false;
  }
  if (result.status === 'NOT_SENT') {
    await circuitBreaker.reportBrokerFailure(accountId, { tradeId, code: 'broker-outcome-unknown', at: new Date().toISOString() });
    decide(run, await records.recordEntryClosed(tradeId, result, 'FAILED', 'the broker never received the entry order'));
    return false;
  }
  if (slices.length === 1) result = await untilOrderDone(run, order, result, true);
  if (result.filledQuantity > 0) {
    const entry = await records.recordEntryFill(tradeId, { ...result, status: 'FILLED' });
    Object.assign(hold, { entryPricePaise: entry.entryPricePaise, filledQuantity: entry.filledQuantity, squareOffAt: entry.squareOffAt });
    decide(run, entry.status);
    return entry.status === 'OPEN';
  }
  const ended = result.status === 'CANCELLED' ? 'CANCELLED' : 'REJECTED';
  decide(run, await records.recordEntryClosed(tradeId, result, ended, result.rejectReason ?? (ended === 'CANCELLED' ? 'cancelled on request' : 'rejected by the broker')));
  return false;
}

/** The entry leg: in slices above the freeze quantity, else placed in this workflow task where the trade allows it (legs.ts). */
function sendEntry(run: TradeRun, order: LegInput, slices: LegInput[]): Promise<LegResult> {
  if (slices.length > 1) return sendSlices(run, slices, true);
  return run.entryInTask ? placeEntryInTask(order, run.firstTaskAt) : sendLeg(order);
}
