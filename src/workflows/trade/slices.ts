/**
 * Legs above the exchange's freeze quantity go out as slices (the freeze-slices patch): each slice
 * is a broker order of its own, tagged `<leg tag>P<n>` and placed at most once like any leg
 * (legs.ts). Slices are sent one after another (the broker's order budget keeps them within
 * Breeze's 10 order actions a second, docs/indian-market.md#freeze-quantities), then each is watched
 * until it ends; their results add up to the leg's.
 *
 * @module
 */
import type { LegInput, LegResult } from '../../activities/orders.ts';
import { freezeSlices } from '../../domain/freeze-slices.ts';
import { failureMessage } from '../failures.ts';
import { reportBrokerFailure } from './activities.ts';
import { sendLeg } from './legs.ts';
import { untilOrderDone } from './order-watch.ts';
import type { TradeRun } from './run.ts';

/** The leg as slices no bigger than the largest order the exchange takes; the leg itself when it fits. */
export function slicesOf(run: TradeRun, leg: LegInput): LegInput[] {
  const sizes = run.slices ? freezeSlices(leg.quantity, run.hold.maxSlice) : [leg.quantity];
  if (sizes.length === 1) return [leg];
  return sizes.map((quantity, i) => ({ ...leg, tag: `${leg.tag}P${i + 1}`, quantity }));
}

const notSent = (leg: LegInput, reason: string): LegResult => ({ tag: leg.tag, status: 'NOT_SENT', filledQuantity: 0, rejectReason: reason, fills: [] });

/**
 * Send the slices and watch them until each ends. After a slice the broker refused or never got,
 * the rest are not sent (nor after a cancel request, for a cancellable entry). When the first
 * slice could not be sent at all, its error is thrown, as for a single leg.
 */
export async function sendSlices(run: TradeRun, legs: LegInput[], cancellable: boolean): Promise<LegResult> {
  const results: LegResult[] = [];
  let stopped: string | undefined;
  for (const leg of legs) {
    if (cancellable && run.cancelRequested) stopped ??= 'cancelled before this slice was sent';
    if (stopped) {
      results.push(notSent(leg, stopped));
      continue;
    }
    try {
      const result = await sendLeg(leg);
      results.push(result);
      if (result.status === 'NOT_SENT' || result.status === 'REJECTED') stopped = `not sent: slice ${result.tag} was ${result.status === 'REJECTED' ? 'rejected' : 'not sent'}`;
    } catch (err) {
      if (results.length === 0) throw err;
      await reportBrokerFailure(run, err);
      stopped = `not sent: ${failureMessage(err)}`;
      results.push(notSent(leg, stopped));
    }
  }
  for (const [i, leg] of legs.entries()) results[i] = await untilOrderDone(run, leg, results[i]!, cancellable);
  return combined(results);
}

/** The slices as one leg: fills summed, the status of the whole, each slice's own result in `parts`. */
export function combined(parts: LegResult[]): LegResult {
  const filledQuantity = parts.reduce((n, p) => n + p.filledQuantity, 0);
  const value = parts.reduce((n, p) => n + p.filledQuantity * (p.averagePricePaise ?? 0), 0);
  const first = parts.find((p) => p.status === 'REJECTED') ?? parts.find((p) => p.status !== 'FILLED') ?? parts[0]!;
  const status: LegResult['status'] = parts.every((p) => p.status === 'FILLED')
    ? 'FILLED'
    : filledQuantity > 0
      ? 'CANCELLED'
      : parts.some((p) => p.status === 'REJECTED')
        ? 'REJECTED'
        : parts.every((p) => p.status === 'NOT_SENT')
          ? 'NOT_SENT'
          : first.status;
  return {
    tag: parts[0]!.tag,
    status,
    brokerOrderId: parts[0]!.brokerOrderId,
    filledQuantity,
    averagePricePaise: filledQuantity && parts.every((p) => !p.filledQuantity || p.averagePricePaise) ? Math.round(value / filledQuantity) : undefined,
    rejectReason: first.rejectReason,
    fills: parts.flatMap((p) => p.fills),
    parts,
  };
}
