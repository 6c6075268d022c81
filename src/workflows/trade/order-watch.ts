/**
 * Watching a sent order (entry or exit) until it fills or ends, in windows that grow once the order
 * has rested a while; a cancel request cancels a cancellable order at the broker. Within a window
 * the activity waits on the broker's order notices where it sends them, reading the order through
 * the worker's read ration (src/activities/order-wait.ts), and polls the paper exchange.
 *
 * @module
 */
import * as wf from '@temporalio/workflow';
import type { LegInput, LegResult } from '../../activities/orders.ts';
import { failureMessage } from '../failures.ts';
import { untilInterrupted } from '../scopes.ts';
import { reportBrokerFailure } from './activities.ts';
import { cancelLeg, orderWatch } from './legs.ts';
import type { TradeRun } from './run.ts';

/** A working entry or an exit order is polled in windows of this length... */
const ORDER_WINDOW_MS = 60_000;
/** ...and, once it has rested this many windows, in longer ones (a resting limit order can wait for days). */
const SHORT_ORDER_WINDOWS = 5;
const LONG_ORDER_WINDOW_MS = 4 * 60_000;
/** Delay before polling again a broker that could not be asked. */
export const BROKER_RETRY = '30 seconds';

/**
 * Wait for a sent order to fill or end; a cancel request cancels it at the broker. Once hardened,
 * a refused cancel stops the cancelling (the order is watched until it ends) and a broker that
 * cannot be asked is asked again later: the order is live, so it is never given up on.
 */
export async function untilOrderDone(run: TradeRun, order: LegInput, result: LegResult, cancellable: boolean): Promise<LegResult> {
  const { hardened } = run;
  // Waits on the broker's order notices and the worker's read ration: the first look after
  // sending is made at once, the windows after it look only when a notice or the ration says so.
  const onNotices = run.waitsOnNotices || wf.patched('order-waits-on-notices');
  let current = result;
  let cancelRefused = false;
  const cancelling = () => cancellable && run.cancelRequested && !cancelRefused;
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
        wf.log.warn('the broker refused to cancel a working order; watching it until it ends', { tradeId: run.input.tradeId, tag: order.tag, error: failureMessage(err) });
      }
      continue;
    }
    const windowMs = hardened && windows >= SHORT_ORDER_WINDOWS ? LONG_ORDER_WINDOW_MS : ORDER_WINDOW_MS;
    let polled: LegResult | undefined;
    try {
      const look = { firstLook: windows === 0 };
      polled = await untilInterrupted(() => (onNotices ? orderWatch.awaitOrder(order, id, windowMs, 500, look) : orderWatch.awaitOrder(order, id, windowMs, 500)), cancelling);
    } catch (err) {
      if (!hardened) throw err;
      await reportBrokerFailure(run, err);
      await wf.sleep(BROKER_RETRY);
    }
    if (polled) current = polled;
  }
  return current;
}
