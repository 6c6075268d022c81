/**
 * Broker legs, sent at most once (invariant 2). A leg is recorded (NEW) before it is sent, and
 * every attempt first looks its tag up at the broker: an attempt after a crash finds the order the
 * previous attempt placed instead of placing another. An unclear answer makes the leg UNKNOWN; the
 * workflow settles it by looking the tag up again, never by sending blindly.
 *
 * @module
 */
import type { Actor } from '../audit/events.ts';
import { BrokerOutcomeUnknownError, BrokerRejectedError } from '../broker/errors.ts';
import { asOrderAction } from '../broker/rate-limit/priority.ts';
import type { BrokerFill, BrokerOrder, BrokerOrderRequest } from '../broker/types.ts';
import { insertOrder, type LegStatus, ordersOfTrade, updateOrder } from '../db/orders.ts';
import { orderFactsOfTrade } from '../db/trades.ts';
import { transaction } from '../db/transaction.ts';
import type { Paise } from '../domain/money.ts';
import { stopLimitPrice } from '../domain/protection.ts';
import { failpoint } from '../observability/failpoints.ts';
import { type ActivityDeps, attemptDeadline, callingWorkflow, heartbeat, pause } from './context.ts';
import { awaitOrderNotices, type OrderSightings } from './order-wait.ts';
import { orderReadRation } from './read-ration.ts';
import { sessionExpiryGuard } from './session-expiry.ts';

/** One broker order of a trade: its entry or its exit (with the attempt in its tag). */
export interface LegInput extends BrokerOrderRequest {
  tradeId: string;
  leg: 'ENTRY' | 'EXIT';
  /** An entry: when the API accepted the trade (ISO), where `trade_entry_to_broker_seconds` starts. */
  acceptedAt?: string | undefined;
  /** An exit for a stop-loss or target: when the tick that crossed it arrived (ISO), for `tick_to_exit_order_seconds`. */
  triggered?: { at: string; reason: 'STOP_LOSS' | 'TARGET' } | undefined;
  /**
   * An entry placed inside the trade's workflow task, as a local activity (epoch ms,
   * src/workflows/trade/legs.ts `placeEntryInTask`): when that task may time out and another
   * worker run it again, looking the tag up first. This attempt stops sending early enough to
   * have heard back by then, as a retried activity's attempt does by its own deadline.
   */
  taskDeadline?: number | undefined;
}

export interface LegResult {
  tag: string;
  status: LegStatus;
  brokerOrderId?: string | undefined;
  filledQuantity: number;
  averagePricePaise?: Paise | undefined;
  rejectReason?: string | undefined;
  fills: BrokerFill[];
  /** A leg sent as slices (src/workflows/trade/slices.ts): each slice's own result; the fields above add them up. */
  parts?: LegResult[] | undefined;
}

export function toLegResult(tag: string, order: BrokerOrder): LegResult {
  return {
    tag,
    status: order.status,
    brokerOrderId: order.brokerOrderId,
    filledQuantity: order.filledQuantity,
    averagePricePaise: order.averagePricePaise,
    rejectReason: order.rejectReason,
    fills: order.fills,
  };
}

const TERMINAL: readonly LegStatus[] = ['FILLED', 'CANCELLED', 'REJECTED'];
/** Time kept between the broker's last possible answer and the end of the attempt. */
const SEND_MARGIN_MS = 2000;

/** The earlier of two deadlines (epoch ms), either of which may be unknown. */
function earliest(a: number | undefined, b: number | undefined): number | undefined {
  return a === undefined ? b : b === undefined ? a : Math.min(a, b);
}

/** How the workflow asks for a wait (the order-waits-on-notices patch). */
export interface AwaitLook {
  /** The first look after sending: made at once rather than at a turn of the read ration. */
  firstLook: boolean;
}

export function orderActivities(deps: ActivityDeps) {
  const sightings: OrderSightings<LegResult> = new Map();

  function auditBase(leg: LegInput) {
    const { workflowId, runId } = callingWorkflow();
    const actor: Actor = { type: 'workflow', id: workflowId ?? `trade-${leg.tradeId}` };
    return { actor, accountId: leg.accountId, tradeId: leg.tradeId, workflowId: actor.id, runId };
  }

  /** Store what the broker says of the leg, with its audit record. */
  async function recordSent(given: LegInput, order: BrokerOrder, adopted: boolean): Promise<LegResult> {
    // The broker has the order and we have not recorded it: whether this attempt sent it or found
    // it sent (a retry after a timed-out attempt, a settle), the crash test dies here.
    if (order.status !== 'REJECTED') failpoint(given.leg === 'EXIT' ? 'during-exit' : 'after-broker-accept');
    const leg = await withStrategy(given);
    const result = toLegResult(leg.tag, order);
    await transaction(deps.sql, async (tx) => {
      await updateOrder(tx, leg.tag, { status: order.status === 'FILLED' ? 'OPEN' : order.status, brokerOrderId: order.brokerOrderId, rejectReason: order.rejectReason ?? null });
      await deps.audit.append(tx, {
        type: order.status === 'REJECTED' ? 'ORDER_REJECTED' : 'ORDER_PLACED',
        ...auditBase(leg),
        payload: {
          tag: leg.tag,
          leg: leg.leg,
          brokerOrderId: order.brokerOrderId,
          broker: deps.broker.name,
          instrument: leg.instrument,
          side: leg.side,
          quantity: leg.quantity,
          orderType: leg.orderType,
          limitPricePaise: leg.limitPricePaise,
          triggerPricePaise: leg.triggerPricePaise,
          strategyId: leg.strategyId,
          strategy: leg.strategy,
          algoId: leg.algoId ?? deps.config.account.ALGO_ID,
          brokerStatus: order.status,
          rejectReason: order.rejectReason,
          // found by its tag after an earlier attempt sent it: not sent again
          adopted,
        },
      });
    });
    return result;
  }

  /**
   * An earlier attempt of this leg that we never saw reach the broker (settled as not sent, or
   * failed before its answer) may have reached it late. Before sending another, look again: found,
   * it is adopted as this leg's order and this attempt's tag is never sent.
   */
  async function surfacedEarlierAttempt(leg: LegInput): Promise<LegResult | undefined> {
    const unseen: readonly LegStatus[] = ['NOT_SENT', 'NEW', 'UNKNOWN'];
    // of the same kind: an exit is never adopted from a stop or target (their tags' letter after the trade id)
    const kind = (tag: string) => tag.charAt(leg.tradeId.length);
    // and of the same slice: the slices of a leg (`P<n>`, src/workflows/trade/slices.ts) are orders of their own
    const slice = (tag: string) => /P\d+$/.exec(tag)?.[0];
    const earlier = (await ordersOfTrade(deps.sql, leg.tradeId)).filter((o) => o.leg === leg.leg && kind(o.tag) === kind(leg.tag) && slice(o.tag) === slice(leg.tag) && unseen.includes(o.status) && o.tag !== leg.tag);
    for (const attempt of earlier) {
      const late = await deps.broker.findOrderByTag(leg.accountId, attempt.tag, leg.instrument);
      if (!late) continue;
      await updateOrder(deps.sql, leg.tag, { status: 'NOT_SENT', rejectReason: `not sent: attempt ${attempt.tag} reached the broker after all` });
      return recordSent({ ...leg, tag: attempt.tag, quantity: attempt.quantity }, late, true);
    }
    return undefined;
  }

  /** A protective stop priced by the workflow with its trigger only gets its limit here (STOP_LIMIT_BUFFER_BPS past it). */
  function withStopLimit(leg: LegInput): LegInput {
    if (leg.orderType !== 'STOP_LIMIT' || leg.limitPricePaise !== undefined || leg.triggerPricePaise === undefined) return leg;
    return { ...leg, limitPricePaise: stopLimitPrice(leg.side, leg.triggerPricePaise, deps.config.broker.STOP_LIMIT_BUFFER_BPS, deps.config.market.DEFAULT_TICK_PAISE) };
  }

  /**
   * The leg as it is sent: with its trade's strategy and algo id (as {@link withStrategy}), and a
   * MARKET entry protected at the price its margin was reserved at, so that it can never fill above
   * its reservation. One read for both.
   */
  async function withTradeFacts(leg: LegInput): Promise<LegInput> {
    const capped = leg.leg === 'ENTRY' && leg.orderType === 'MARKET' && leg.limitPricePaise === undefined;
    if (leg.algoId && !capped) return leg;
    const { strategy, algoId, reservedPricePaise } = await orderFactsOfTrade(deps.sql, leg.tradeId);
    const stamped = leg.algoId || !algoId ? leg : { ...leg, strategy, algoId };
    return capped && reservedPricePaise ? { ...stamped, limitPricePaise: reservedPricePaise } : stamped;
  }

  /** The leg with its trade's strategy and algo id (stamped at the reservation, src/activities/strategy-risk.ts). */
  async function withStrategy(leg: LegInput): Promise<LegInput> {
    if (leg.algoId) return leg;
    const { strategy, algoId } = await orderFactsOfTrade(deps.sql, leg.tradeId);
    return algoId ? { ...leg, strategy, algoId } : leg;
  }

  /**
   * The trader's latency of a leg the broker just acknowledged (src/observability/trade-latency.ts):
   * once a leg, so of a leg sent in slices only its first slice counts.
   */
  function noteAcknowledged(timing: Pick<LegInput, 'acceptedAt' | 'triggered' | 'tag'>, order: BrokerOrder): void {
    const latency = deps.brokerMetrics?.latency;
    if (!latency || order.status === 'REJECTED') return;
    const slice = /P(\d+)$/.exec(timing.tag)?.[1];
    if (slice !== undefined && slice !== '1') return;
    const since = (iso: string) => (Date.now() - Date.parse(iso)) / 1000;
    if (timing.acceptedAt) latency.entryToBroker(since(timing.acceptedAt));
    if (timing.triggered) latency.tickToExit(timing.triggered.reason, since(timing.triggered.at));
  }

  const steps = {
    /** Send the leg unless the broker already has it. */
    async placeOrder(input: LegInput): Promise<LegResult> {
      // the timings are for this process's metrics only, the task's deadline for this attempt: none is stored or sent to the broker
      const { acceptedAt, triggered, taskDeadline, ...given } = input;
      const leg = await withTradeFacts(withStopLimit(given));
      await insertOrder(deps.sql, leg);
      const existing = await deps.broker.findOrderByTag(leg.accountId, leg.tag, leg.instrument);
      if (existing) return recordSent(leg, existing, true);
      const surfaced = await surfacedEarlierAttempt(leg);
      if (surfaced) return surfaced;
      // Sent early enough to hear back within this attempt (and, placed in a workflow task, before
      // that task may pass to another worker): a retry must never look the tag up while this
      // attempt's order is still on its way (and send a second one).
      const deadline = earliest(attemptDeadline(), taskDeadline);
      const sendBy = deadline && deadline - (deps.config.broker.BREEZE_TIMEOUT_MS + deps.config.broker.BROKER_RATE_WAIT_MS + SEND_MARGIN_MS);
      let order: BrokerOrder;
      try {
        order = await deps.broker.placeOrder(leg, { sendBy });
      } catch (err) {
        if (err instanceof BrokerRejectedError) {
          const rejected: BrokerOrder = { brokerOrderId: '', tag: leg.tag, instrument: leg.instrument, side: leg.side, quantity: leg.quantity, status: 'REJECTED', filledQuantity: 0, rejectReason: err.message, fills: [] };
          return recordSent(leg, rejected, false);
        }
        if (err instanceof BrokerOutcomeUnknownError) {
          await transaction(deps.sql, async (tx) => {
            await updateOrder(tx, leg.tag, { status: 'UNKNOWN', rejectReason: err.message });
            await deps.audit.append(tx, { type: 'ORDER_UNKNOWN', ...auditBase(leg), payload: { tag: leg.tag, leg: leg.leg, reason: err.message } });
          });
        }
        throw err;
      }
      noteAcknowledged({ acceptedAt, triggered, tag: leg.tag }, order);
      return recordSent(leg, order, false);
    },

    /**
     * Settle an UNKNOWN leg by its tag. Found: it was sent. Not found on the `final` look: it never
     * reached the broker (NOT_SENT), and the workflow may send it anew.
     */
    async settleOrder(leg: LegInput, final: boolean): Promise<LegResult> {
      const found = await deps.broker.findOrderByTag(leg.accountId, leg.tag, leg.instrument);
      if (found) return recordSent(leg, found, true);
      if (!final) return { tag: leg.tag, status: 'UNKNOWN', filledQuantity: 0, fills: [] };
      await transaction(deps.sql, async (tx) => {
        await updateOrder(tx, leg.tag, { status: 'NOT_SENT' });
        await deps.audit.append(tx, { type: 'ORDER_REJECTED', ...auditBase(leg), payload: { tag: leg.tag, leg: leg.leg, settled: 'NOT_SENT', reason: 'not found at the broker after the settle window' } });
      });
      return { tag: leg.tag, status: 'NOT_SENT', filledQuantity: 0, fills: [] };
    },

    /**
     * Wait until the order is final or `windowMs` passes (heartbeating; cancellable). Where the
     * broker notifies order changes (Breeze), on its notices and the worker's order-status ration
     * (order-wait.ts); on the paper exchange (our own database, no call budget), polled every `pollMs`.
     * `look.firstLook`: the first look after sending, made at once. A workflow from before the
     * order-waits-on-notices patch sends no `look`: each of its windows starts with a look at once.
     */
    async awaitOrder(leg: LegInput, brokerOrderId: string, windowMs: number, pollMs: number, look?: AwaitLook): Promise<LegResult> {
      const notices = deps.orderNotices;
      if (notices) {
        const read = async () => toLegResult(leg.tag, await deps.broker.getOrder(leg.accountId, brokerOrderId, leg.instrument));
        const unseen = (): LegResult => ({ tag: leg.tag, status: 'OPEN', brokerOrderId, filledQuantity: 0, fills: [] });
        return awaitOrderNotices({ notices, ration: orderReadRation(deps), seen: sightings, read, unseen }, brokerOrderId, windowMs, look?.firstLook ?? true);
      }
      const until = Date.now() + windowMs;
      for (;;) {
        const order = await deps.broker.getOrder(leg.accountId, brokerOrderId, leg.instrument);
        if (TERMINAL.includes(order.status) || Date.now() >= until) return toLegResult(leg.tag, order);
        heartbeat(order.status);
        await pause(Math.min(pollMs, Math.max(0, until - Date.now())));
      }
    },

    /** Ask the broker to cancel; the answer may still be FILLED when the fill won the race. */
    async cancelOrder(leg: LegInput, brokerOrderId: string): Promise<LegResult> {
      const result = toLegResult(leg.tag, await deps.broker.cancelOrder(leg.accountId, brokerOrderId, leg.instrument));
      // a leg that ends unfilled ends here (a filled one is recorded with its fills)
      if (result.status === 'CANCELLED' && result.filledQuantity === 0) await updateOrder(deps.sql, leg.tag, { status: 'CANCELLED' });
      return result;
    },
  };

  // An expired broker session reduces trading to exits and retries later (session-expiry.ts).
  const guarded = sessionExpiryGuard(deps);
  // Sending, settling and cancelling may use the broker budget kept for orders; polling may not.
  return {
    placeOrder: (leg: LegInput) => guarded(leg, 'placeOrder', () => asOrderAction(() => steps.placeOrder(leg))),
    settleOrder: (leg: LegInput, final: boolean) => guarded(leg, 'settleOrder', () => asOrderAction(() => steps.settleOrder(leg, final))),
    awaitOrder: (leg: LegInput, brokerOrderId: string, windowMs: number, pollMs: number, look?: AwaitLook) => guarded(leg, 'awaitOrder', () => steps.awaitOrder(leg, brokerOrderId, windowMs, pollMs, look)),
    cancelOrder: (leg: LegInput, brokerOrderId: string) => guarded(leg, 'cancelOrder', () => asOrderAction(() => steps.cancelOrder(leg, brokerOrderId))),
  };
}
