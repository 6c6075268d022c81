/**
 * A position's protective orders resting at the broker (its stop-loss as a stop-limit, its target
 * as a limit): watching them until one ends, and chasing a stop whose trigger was touched but whose
 * limit the price gapped through. Placing and cancelling them are the ordinary leg activities
 * (orders.ts), so they are sent at most once by tag like every other leg.
 *
 * @module
 */
import { asOrderAction } from '../broker/rate-limit/priority.ts';
import type { Paise } from '../domain/money.ts';
import { chasePrice, stopLimitPrice } from '../domain/protection.ts';
import type { ActivityDeps } from './context.ts';
import { type LegInput, type LegResult, toLegResult } from './orders.ts';
import { awaitPaperProtection, awaitProtectionNotices, pollProtection, type ProtectionEnded, type RestingLeg } from './protection-watch.ts';
import { orderReadRation } from './read-ration.ts';
import { sessionExpiryGuard } from './session-expiry.ts';

export type { ProtectionEnded, RestingLeg } from './protection-watch.ts';

export function protectionActivities(deps: ActivityDeps) {
  const guarded = sessionExpiryGuard(deps);
  const steps = {
    /**
     * Watch the resting orders until one of them ends or `windowMs` passes (heartbeating;
     * cancellable): on their notices where the broker sends them, within the worker's read ration;
     * on the paper exchange's order changes; else polled every `pollMs` (protection-watch.ts).
     */
    async watchProtection(legs: RestingLeg[], windowMs: number, pollMs: number): Promise<ProtectionEnded> {
      const notices = deps.orderNotices;
      if (notices) return awaitProtectionNotices(deps.broker, notices, orderReadRation(deps), legs, windowMs, pollMs);
      if (deps.paperOrderChanges) return awaitPaperProtection(deps.broker, deps.paperOrderChanges, deps.prices, legs, windowMs, pollMs);
      return pollProtection(deps.broker, legs, windowMs, pollMs);
    },

    /**
     * A stop the price went through without filling it: turn it into a limit priced a buffer past
     * the last price (marketable), and answer the order as it stands after. Once final it is left alone.
     */
    async chaseStop(leg: LegInput, brokerOrderId: string): Promise<LegResult> {
      const order = await deps.broker.getOrder(leg.accountId, brokerOrderId, leg.instrument);
      if (order.status !== 'OPEN') return toLegResult(leg.tag, order);
      const quote = await deps.broker.quote(leg.instrument);
      const limitPricePaise = chasePrice(leg.side, quote.lastPricePaise, deps.config.broker.STOP_LIMIT_BUFFER_BPS, deps.config.market.DEFAULT_TICK_PAISE);
      deps.log.warn({ tradeId: leg.tradeId, tag: leg.tag, lastPricePaise: quote.lastPricePaise, limitPricePaise }, 'stop-loss passed without filling: chasing it with a marketable limit');
      const chased = await deps.broker.modifyOrder(leg.accountId, brokerOrderId, leg.instrument, { orderType: 'LIMIT', limitPricePaise });
      // the marketable stop is this exit's order at the broker (src/observability/trade-latency.ts)
      if (leg.triggered && chased.status !== 'REJECTED') deps.brokerMetrics?.latency?.tickToExit(leg.triggered.reason, (Date.now() - Date.parse(leg.triggered.at)) / 1000);
      return toLegResult(leg.tag, chased);
    },
  };

  /** Move a resting stop (its limit recomputed past the new trigger) or target; the order as it stands after. */
  async function moveProtection(leg: LegInput, brokerOrderId: string, change: { orderType: 'STOP_LIMIT' | 'LIMIT'; triggerPricePaise?: Paise | undefined; limitPricePaise?: Paise | undefined }): Promise<LegResult> {
    const { STOP_LIMIT_BUFFER_BPS } = deps.config.broker;
    const limitPricePaise = change.orderType === 'STOP_LIMIT' ? stopLimitPrice(leg.side, change.triggerPricePaise ?? 0, STOP_LIMIT_BUFFER_BPS, deps.config.market.DEFAULT_TICK_PAISE) : (change.limitPricePaise ?? 0);
    const order = await deps.broker.modifyOrder(leg.accountId, brokerOrderId, leg.instrument, { orderType: change.orderType, triggerPricePaise: change.triggerPricePaise, limitPricePaise });
    return toLegResult(leg.tag, order);
  }

  return {
    moveProtection: (leg: LegInput, brokerOrderId: string, change: Parameters<typeof moveProtection>[2]) => guarded(leg, 'moveProtection', () => asOrderAction(() => moveProtection(leg, brokerOrderId, change))),
    watchProtection: (legs: RestingLeg[], windowMs: number, pollMs: number) => steps.watchProtection(legs, windowMs, pollMs),
    chaseStop: (leg: LegInput, brokerOrderId: string) => guarded(leg, 'chaseStop', () => asOrderAction(() => steps.chaseStop(leg, brokerOrderId))),
  };
}
