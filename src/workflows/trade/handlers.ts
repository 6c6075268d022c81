/**
 * The trade workflow's messages: its summary query, and the updates that submit the entry, cancel
 * a working entry and ask for an exit. The handlers only change the run's state; the phases act.
 *
 * @module
 */
import * as wf from '@temporalio/workflow';
import { FINAL_STATUSES, type TradeStatus } from '../../domain/trade.ts';
import { cancelEntry, changeProtection, priceCrossed, protectionChanged, requestExit, submitEntry, tradeSummary } from '../messages.ts';
import { summaryOf, type TradeRun } from './run.ts';

export function handleMessages(run: TradeRun): void {
  wf.setHandler(tradeSummary, () => summaryOf(run));
  wf.setHandler(submitEntry, async () => {
    const replayed = run.entrySubmissions++ > 0;
    await wf.condition(() => run.entryDecided, run.input.ackWaitMs);
    return summaryOf(run, replayed);
  });
  wf.setHandler(
    cancelEntry,
    () => {
      run.cancelRequested = true;
      return summaryOf(run);
    },
    { validator: (_req) => assertStatus(run.status, ['PENDING'], 'Only a working entry can be cancelled') },
  );
  wf.setHandler(
    changeProtection,
    async (change) => {
      const turn = run.changes.push(change);
      await wf.condition(() => run.changesApplied >= turn || run.status !== 'OPEN');
      return summaryOf(run);
    },
    {
      validator: (change) => {
        assertStatus(run.status, ['OPEN'], 'Only an open trade can change its stop-loss or target');
        if (!run.resting) throw wf.ApplicationFailure.nonRetryable('This trade predates changeable protection', 'trade-state-conflict');
        if (change.trailingStop !== undefined && !run.trailing) throw wf.ApplicationFailure.nonRetryable('This trade predates trailing stops', 'trade-state-conflict');
      },
    },
  );
  // the exit book's signals (book.ts): a crossing counts only for the watch booked now
  wf.setHandler(priceCrossed, (crossed) => {
    if (run.book?.booking === crossed.booking) run.crossed ??= crossed;
  });
  wf.setHandler(protectionChanged, () => {
    run.protectionNoticed = true;
  });
  wf.setHandler(
    requestExit,
    (req) => {
      if (run.status === 'PENDING') {
        run.cancelRequested = true;
        // Should the entry fill before its cancel lands (a market order in flight), the position
        // this exit was asked for is closed at once.
        if (run.hardened) run.pendingExit ??= req;
      } else run.pendingExit ??= req;
      return summaryOf(run);
    },
    { validator: (_req) => assertStatus(run.status, ['PENDING', 'OPEN', 'EXITING'], 'The trade has no position to exit') },
  );
}

function assertStatus(status: TradeStatus, allowed: TradeStatus[], message: string): void {
  if (!allowed.includes(status)) {
    throw wf.ApplicationFailure.nonRetryable(`${message} (status ${status})`, FINAL_STATUSES.includes(status) ? 'trade-final' : 'trade-state-conflict');
  }
}
