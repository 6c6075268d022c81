/**
 * Sending a broker leg from the trade workflow, at most once: place (the activity looks the tag
 * up before sending), and when the broker's answer is unclear, settle the leg by looking the tag
 * up again over a settle window instead of sending it again.
 *
 * @module
 */
import { proxyActivities, proxyLocalActivities, sleep } from '@temporalio/workflow';
import type { Activities } from '../../activities/index.ts';
import type { LegInput, LegResult } from '../../activities/orders.ts';
import { failureCode } from '../failures.ts';
import { TRADE_TASK_TIMEOUT_MS } from '../messages.ts';

/** Looks at the broker's order book before an UNKNOWN leg counts as not sent. */
const SETTLE_LOOKS = 6;
const SETTLE_INTERVAL = '5 seconds';

/** Entries give up after two minutes of an unavailable broker (the trade fails, nothing was sent). */
const entryBroker = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  scheduleToCloseTimeout: '2 minutes',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '15 seconds' },
});

/** Exits never give up: a position must be closed. */
const exitBroker = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '30 seconds' },
});

/** Order polling: long windows, heartbeats, cancelled without waiting for the activity to agree. */
export const orderWatch = proxyActivities<Activities>({
  startToCloseTimeout: '5 minutes',
  heartbeatTimeout: '30 seconds',
  cancellationType: 'TRY_CANCEL',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '30 seconds' },
});

/** Settle an UNKNOWN leg: found at the broker, or NOT_SENT after the last look. */
export async function settleLeg(leg: LegInput): Promise<LegResult> {
  for (let look = 1; ; look++) {
    await sleep(SETTLE_INTERVAL);
    const result = await exitBroker.settleOrder(leg, look >= SETTLE_LOOKS);
    if (result.status !== 'UNKNOWN') return result;
  }
}

/**
 * Place the leg. An unclear answer, or (for an entry) a broker that stayed unavailable, ends in a
 * settle: the leg is adopted if the broker has it, NOT_SENT otherwise.
 */
export async function sendLeg(leg: LegInput): Promise<LegResult> {
  const broker = leg.leg === 'ENTRY' ? entryBroker : exitBroker;
  try {
    return await broker.placeOrder(leg);
  } catch (err) {
    if (failureCode(err) === 'broker-outcome-unknown' || leg.leg === 'ENTRY') return settleLeg(leg);
    throw err;
  }
}

/**
 * One attempt at placing the entry within this workflow task (a local activity), where the trade's
 * task lasts TRADE_TASK_TIMEOUT_MS (trade.ts, the entry-in-task patch): no activity task to
 * dispatch and no second workflow task before the fill is recorded.
 *
 * At most once (invariant 2), as for a retried activity: should this worker stop answering, the
 * task times out and another worker runs it again, looking the tag up before it sends. So the
 * attempt is given the task's deadline, counted from the run's first activation (the start of
 * this task or of an earlier one), and sends only while it can hear back before it
 * (activities/orders.ts `placeOrder`); its own timeout is no shorter, so it has stopped sending
 * when the workflow hears it timed out. Any failure leaves the leg to `sendLeg`, whose activity
 * also looks the tag up first (adopting what this attempt sent); an unclear answer is settled.
 */
const entryInTask = proxyLocalActivities<Pick<Activities, 'placeOrder'>>({
  startToCloseTimeout: TRADE_TASK_TIMEOUT_MS,
  retry: { maximumAttempts: 1 },
});

export async function placeEntryInTask(leg: LegInput, firstTaskAt: number): Promise<LegResult> {
  try {
    return await entryInTask.placeOrder({ ...leg, taskDeadline: firstTaskAt + TRADE_TASK_TIMEOUT_MS });
  } catch (err) {
    return failureCode(err) === 'broker-outcome-unknown' ? settleLeg(leg) : sendLeg(leg);
  }
}

export async function cancelLeg(leg: LegInput, brokerOrderId: string): Promise<LegResult> {
  return exitBroker.cancelOrder(leg, brokerOrderId);
}
