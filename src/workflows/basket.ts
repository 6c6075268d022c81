/**
 * One basket, all or none: the risk manager reserves it as a whole (before any leg goes out),
 * then every leg's trade starts as POST /trades starts one (its own trade workflow, its entry
 * placed at most once and audited). When every leg opens, the basket is OPEN and its legs live on
 * as trades of their own. When a leg cannot fill (refused, rejected by the broker, not filled by
 * the leg deadline), every other leg is exited (a working entry is cancelled, and exited should it
 * fill first), and once none is left open the basket ends FAILED. Every step's effect is an
 * activity; this code only decides.
 *
 * @module
 */
import * as wf from '@temporalio/workflow';
import type { Activities } from '../activities/index.ts';
import type { LegStatus } from '../activities/basket-legs.ts';
import type { TradeStart } from '../activities/ports.ts';
import type { BasketStatus } from '../domain/basket.ts';
import { FINAL_STATUSES } from '../domain/trade.ts';
import { basketSummary, type BasketSummary, type BasketWorkflowInput, submitBasket } from './basket-messages.ts';

/** The basket's records: quick, local to the worker, retried until the database answers. */
const records = wf.proxyLocalActivities<Pick<Activities, 'reserveBasket' | 'basketLegStatuses' | 'recordBasketEnd'>>({
  startToCloseTimeout: '15 seconds',
  retry: { initialInterval: '200 milliseconds', backoffCoefficient: 2, maximumInterval: '10 seconds' },
});

/** Exit requests to the legs' trade workflows (through the Temporal client). */
const legControl = wf.proxyActivities<Pick<Activities, 'exitBasketLeg'>>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '30 seconds' },
});

/** Between looks at the legs while they unwind; an unwinding leg back to OPEN (its exit did not fill) is asked again this often. */
const UNWIND_POLL = '2 seconds';
const EXIT_AGAIN_MS = 30_000;

export async function basketWorkflow(input: BasketWorkflowInput): Promise<BasketSummary> {
  const state: { status: BasketStatus; violations?: BasketSummary['violations']; decided: boolean; submissions: number } = { status: 'PENDING', decided: false, submissions: 0 };
  const summary = (replayed = false): BasketSummary => ({ basketId: input.basketId, status: state.status, violations: state.violations, replayed, requestFingerprint: input.requestFingerprint });
  wf.setHandler(basketSummary, () => summary());
  wf.setHandler(submitBasket, async () => {
    const replayed = state.submissions++ > 0;
    await wf.condition(() => state.decided, input.ackWaitMs);
    return summary(replayed);
  });
  const decide = (status: BasketStatus) => Object.assign(state, { status, decided: true });

  const reserved = await records.reserveBasket({ basketId: input.basketId, accountId: input.accountId, legs: input.legs, requestFingerprint: input.requestFingerprint, requestedBy: input.requestedBy, clientIp: input.clientIp, requestId: input.requestId });
  if (reserved.outcome === 'REJECTED') {
    state.violations = reserved.violations;
    decide('REJECTED');
    await wf.condition(wf.allHandlersFinished);
    return summary();
  }

  // Each leg answers once its entry is decided, or PENDING at the leg deadline.
  const starter = wf.proxyActivities<Pick<Activities, 'startBasketLeg'>>({
    startToCloseTimeout: input.legDeadlineMs + 30_000,
    retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '30 seconds' },
  });
  const started = await Promise.all(input.legs.map((leg) => starter.startBasketLeg(legInput(input, leg.tradeId), input.legDeadlineMs)));
  if (started.every((s) => s === 'OPEN')) {
    await records.recordBasketEnd(input.basketId, input.accountId, 'OPEN');
    decide('OPEN');
    await wf.condition(wf.allHandlersFinished);
    return summary();
  }

  const failed = started.map((s, i) => ({ s, leg: i + 1 })).filter(({ s }) => s !== 'OPEN');
  const reason = failed.map(({ s, leg }) => `leg ${leg} ${s === 'PENDING' ? 'not filled by its deadline' : s}`).join(', ');
  await unwind(input);
  await records.recordBasketEnd(input.basketId, input.accountId, 'FAILED', `${reason}: the other legs were exited`);
  decide('FAILED');
  await wf.condition(wf.allHandlersFinished);
  return summary();
}

/** The leg's trade: its request, reserved already by the basket. */
function legInput(input: BasketWorkflowInput, tradeId: string): TradeStart {
  const leg = input.legs.find((l) => l.tradeId === tradeId)!;
  return { tradeId, accountId: input.accountId, request: leg.request, requestFingerprint: leg.requestFingerprint, requestedBy: input.requestedBy, clientIp: input.clientIp, requestId: input.requestId, source: 'api', basketId: input.basketId };
}

/** Exit every leg that is not final, until none is left open. */
async function unwind(input: BasketWorkflowInput): Promise<void> {
  const self = { type: 'workflow' as const, id: wf.workflowInfo().workflowId };
  const asked = new Map<string, number>();
  for (;;) {
    const legs: LegStatus[] = await records.basketLegStatuses(input.basketId);
    const live = legs.filter((l) => !FINAL_STATUSES.includes(l.status));
    if (!live.length) return;
    const due = live.filter((l) => l.status !== 'EXITING' && Date.now() - (asked.get(l.tradeId) ?? 0) >= EXIT_AGAIN_MS);
    await Promise.all(due.map((l) => legControl.exitBasketLeg(l.tradeId, self)));
    for (const l of due) asked.set(l.tradeId, Date.now());
    await wf.sleep(UNWIND_POLL);
  }
}
