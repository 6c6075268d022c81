/**
 * The daily-loss guard: one workflow per account, running while the account holds positions or
 * awaits entries. It calls `guardDailyLoss` window after window (each a heartbeating activity
 * watching the open positions' prices); when realized + unrealized loss reaches the daily limit it
 * trips the circuit breaker (REDUCING, and by default flatten) and ends. When the book is flat it
 * ends, unless an entry was accepted meanwhile (`positionMayOpen`, sent with start by the risk
 * reservation): then it keeps watching. A worker that dies mid-window loses its heartbeat and the
 * activity runs again on another worker.
 *
 * A reading with a position whose loss is unknown (no price at all) never trips it (the
 * loss-guard-unknown-price patch): the activity alerts, the pre-trade check refuses entries, and
 * the guard keeps watching until the position has a price.
 *
 * @module
 */
import * as wf from '@temporalio/workflow';
import type { Activities } from '../activities/index.ts';
import { type DailyLossGuardInput, positionMayOpen } from './messages.ts';

const { guardDailyLoss } = wf.proxyActivities<Activities>({
  // A window plus the time to read the book and a quote; a lost worker shows in the heartbeat.
  startToCloseTimeout: '10 minutes',
  heartbeatTimeout: '15 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '10 seconds' },
});
const { tripDailyLoss } = wf.proxyActivities<Activities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '30 seconds' },
});

export async function dailyLossGuardWorkflow(input: DailyLossGuardInput): Promise<void> {
  let asked = 0;
  wf.setHandler(positionMayOpen, () => {
    asked++;
  });
  const unknownNeverTrips = wf.patched('loss-guard-unknown-price');
  for (;;) {
    const seen = asked;
    const result = await guardDailyLoss({ accountId: input.accountId, windowMs: input.windowMs });
    if (result.outcome === 'CROSSED' && result.reading && !(unknownNeverTrips && result.reading.unknown?.length)) {
      await tripDailyLoss(input.accountId, result.reading);
      return;
    }
    if (result.outcome === 'FLAT' && asked === seen) return;
    if (wf.workflowInfo().continueAsNewSuggested) await wf.continueAsNew<typeof dailyLossGuardWorkflow>(input);
  }
}
