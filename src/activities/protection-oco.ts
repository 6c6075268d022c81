/**
 * A position's stop-loss and target held by the broker as one OCO order (the broker-oco patch,
 * Breeze's GTT OCO for F&O: docs/breeze-api.md#gtt-orders): placed at most once (an OCO carries no
 * tag, so an unclear placement is found again by what it is), watched until a leg triggers (its
 * order then rests like any protective leg) or it ends, moved, and cancelled.
 *
 * @module
 */
import { BrokerOutcomeUnknownError, BrokerRejectedError } from '../broker/errors.ts';
import { asOrderAction } from '../broker/rate-limit/priority.ts';
import type { BrokerOco, OcoRequest } from '../broker/types.ts';
import { insertOrder, updateOrder } from '../db/orders.ts';
import { transaction } from '../db/transaction.ts';
import { stopLimitPrice } from '../domain/protection.ts';
import { type ActivityDeps, callingWorkflow, cancelled, heartbeat, pause } from './context.ts';
import type { LegInput } from './orders.ts';
import { orderReadRation } from './read-ration.ts';
import { sessionExpiryGuard } from './session-expiry.ts';

/**
 * The OCO as the workflow keeps it. UNSUPPORTED: this broker or segment holds none (the workflow
 * places a stop and a target of its own); REFUSED: the broker refused it (`reason`).
 */
export interface OcoState {
  status: 'UNSUPPORTED' | 'REFUSED' | BrokerOco['status'];
  ocoId?: string | undefined;
  /** TRIGGERED: the leg whose trigger was touched, and the order the broker placed for it. */
  triggered?: { which: 'STOP' | 'TARGET'; brokerOrderId: string | undefined } | undefined;
  reason?: string | undefined;
}

const stateOf = (oco: BrokerOco): OcoState => ({ status: oco.status, ocoId: oco.ocoId, triggered: oco.triggered });

export function protectionOcoActivities(deps: ActivityDeps) {
  const guarded = sessionExpiryGuard(deps);

  /** The request of a stop leg (its trigger) and a target leg (its limit): the stop's limit a buffer past its trigger. */
  function requestOf(stop: LegInput, target: LegInput): OcoRequest {
    const trigger = stop.triggerPricePaise ?? 0;
    const stopLimit = stopLimitPrice(stop.side, trigger, deps.config.broker.STOP_LIMIT_BUFFER_BPS, deps.config.market.DEFAULT_TICK_PAISE);
    const targetPrice = target.limitPricePaise ?? 0;
    return {
      accountId: stop.accountId,
      instrument: stop.instrument,
      side: stop.side,
      quantity: stop.quantity,
      stop: { triggerPricePaise: trigger, limitPricePaise: stopLimit },
      target: { triggerPricePaise: targetPrice, limitPricePaise: targetPrice },
    };
  }

  /** Place the OCO unless one placed for it is found (`known`: OCO ids this trade already had, which are not it). */
  async function place(stop: LegInput, target: LegInput, known: string[]): Promise<OcoState> {
    const oco = deps.broker.oco;
    if (!oco?.supportsOco(stop.instrument)) return { status: 'UNSUPPORTED' };
    const request = requestOf(stop, target);
    const found = await oco.findOco(request, known);
    if (found) return stateOf(found);
    try {
      return stateOf(await oco.placeOco(request));
    } catch (err) {
      if (err instanceof BrokerRejectedError) return { status: 'REFUSED', reason: err.message };
      if (err instanceof BrokerOutcomeUnknownError) {
        const again = await oco.findOco(request, known);
        if (again) return stateOf(again);
      }
      throw err;
    }
  }

  /**
   * Watch the OCO until a leg triggered and its order is named, or it ended, or `windowMs` passed
   * (heartbeating; cancellable). Looks go through the worker's order-status ration, at most every `pollMs`.
   */
  async function watchProtectionOco(leg: LegInput, ocoId: string, windowMs: number, pollMs: number): Promise<OcoState> {
    const oco = deps.broker.oco;
    if (!oco) return { status: 'UNSUPPORTED' };
    const until = Date.now() + windowMs;
    const ration = deps.orderNotices ? orderReadRation(deps) : undefined;
    for (let first = true; ; first = false) {
      heartbeat();
      if (!first && ration && !(await ration.turn(cancelled()))) await cancelled();
      const state = stateOf(await oco.getOco(leg.accountId, ocoId, leg.instrument));
      if (state.status === 'CANCELLED' || (state.status === 'TRIGGERED' && state.triggered?.brokerOrderId)) return state;
      if (Date.now() >= until) return state;
      await pause(pollMs);
    }
  }

  /**
   * The order a triggered leg placed becomes the trade's leg `leg` (a limit at the leg's limit):
   * recorded as placed by the broker for the OCO, so its fill is the trade's like any leg's.
   */
  async function recordOcoLeg(leg: LegInput, brokerOrderId: string, ocoId: string): Promise<void> {
    const limitPricePaise = leg.orderType === 'STOP_LIMIT' ? stopLimitPrice(leg.side, leg.triggerPricePaise ?? 0, deps.config.broker.STOP_LIMIT_BUFFER_BPS, deps.config.market.DEFAULT_TICK_PAISE) : leg.limitPricePaise;
    const { workflowId, runId } = callingWorkflow();
    const id = workflowId ?? `trade-${leg.tradeId}`;
    await transaction(deps.sql, async (tx) => {
      await insertOrder(tx, { ...leg, orderType: 'LIMIT', limitPricePaise });
      await updateOrder(tx, leg.tag, { status: 'OPEN', brokerOrderId });
      await deps.audit.append(tx, {
        type: 'ORDER_PLACED',
        actor: { type: 'workflow', id },
        accountId: leg.accountId,
        tradeId: leg.tradeId,
        workflowId: id,
        runId,
        payload: { tag: leg.tag, leg: leg.leg, brokerOrderId, broker: deps.broker.name, instrument: leg.instrument, side: leg.side, quantity: leg.quantity, orderType: 'LIMIT', limitPricePaise, placedBy: 'broker OCO', ocoId },
      });
    });
  }

  return {
    recordOcoLeg,
    placeProtectionOco: (stop: LegInput, target: LegInput, known: string[]) => guarded(stop, 'placeProtectionOco', () => asOrderAction(() => place(stop, target, known))),
    watchProtectionOco,
    /** New levels for the OCO's legs; one no longer waiting answers its state. Refusals throw (BrokerRejectedError). */
    moveProtectionOco: (stop: LegInput, target: LegInput, ocoId: string) =>
      guarded(stop, 'moveProtectionOco', () => asOrderAction(async () => stateOf(await deps.broker.oco!.modifyOco(requestOf(stop, target), ocoId)))),
    /** Cancel the OCO's waiting legs; one that triggered answers TRIGGERED with its order. */
    cancelProtectionOco: (leg: LegInput, ocoId: string) => guarded(leg, 'cancelProtectionOco', () => asOrderAction(async () => stateOf(await deps.broker.oco!.cancelOco(leg.accountId, ocoId, leg.instrument)))),
  };
}
