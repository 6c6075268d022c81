/**
 * Sending a broker leg from the trade workflow, at most once: place (the activity looks the tag
 * up before sending), and when the broker's answer is unclear, settle the leg by looking the tag
 * up again over a settle window instead of sending it again.
 *
 * @module
 */
import { proxyActivities, sleep } from '@temporalio/workflow';
import type { Activities } from '../../activities/index.ts';
import type { LegInput, LegResult } from '../../activities/orders.ts';
import { failureCode } from '../failures.ts';

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

export async function cancelLeg(leg: LegInput, brokerOrderId: string): Promise<LegResult> {
  return exitBroker.cancelOrder(leg, brokerOrderId);
}
