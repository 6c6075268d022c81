/**
 * The trade as clients see it: rupees, ISO times, legs with their broker ids, and a link to the
 * workflow in the Temporal UI.
 *
 * @module
 */
import type { OrderRow } from '../../db/orders.ts';
import type { TradeRow } from '../../db/trades.ts';
import { paiseToRupees } from '../../domain/money.ts';

const rupees = (paise: number | null | undefined) => (paise === null || paise === undefined ? null : paiseToRupees(paise));
const iso = (d: Date | null) => (d ? d.toISOString() : null);

export function tradeView(t: TradeRow, temporalUiUrl: string, namespace: string, legs?: OrderRow[]) {
  return {
    id: t.id,
    accountId: t.accountId,
    status: t.status,
    symbol: t.instrument.symbol,
    exchange: t.instrument.exchange,
    product: t.instrument.product,
    ...(t.instrument.expiry ? { expiry: t.instrument.expiry } : {}),
    ...(t.instrument.strikePaise !== undefined ? { strike: rupees(t.instrument.strikePaise) } : {}),
    ...(t.instrument.right ? { right: t.instrument.right } : {}),
    side: t.side,
    quantity: t.quantity,
    orderType: t.orderType,
    price: rupees(t.limitPricePaise),
    stopLoss: rupees(t.stopLossPaise),
    target: rupees(t.targetPaise),
    intraday: t.intraday,
    strategyId: t.strategyId,
    strategy: t.strategy ?? null,
    algoId: t.algoId ?? null,
    source: t.source,
    requestedBy: t.requestedBy,
    filledQuantity: t.filledQuantity,
    entryPrice: rupees(t.entryPricePaise),
    exitPrice: rupees(t.exitPricePaise),
    pnl: t.realizedPnlPaise === null ? null : { gross: rupees(t.grossPnlPaise), charges: rupees(t.chargesPaise), net: rupees(t.realizedPnlPaise) },
    exitReason: t.exitReason,
    rejectReason: t.rejectReason,
    ...(t.violations ? { violations: t.violations } : {}),
    createdAt: iso(t.createdAt),
    openedAt: iso(t.openedAt),
    closedAt: iso(t.closedAt),
    updatedAt: iso(t.updatedAt),
    workflowId: t.workflowId,
    workflowUrl: `${temporalUiUrl.replace(/\/$/, '')}/namespaces/${encodeURIComponent(namespace)}/workflows/${encodeURIComponent(t.workflowId)}`,
    ...(legs
      ? {
          legs: legs.map((o) => ({
            tag: o.tag,
            leg: o.leg,
            side: o.side,
            quantity: o.quantity,
            orderType: o.orderType,
            price: rupees(o.limitPricePaise),
            status: o.status,
            brokerOrderId: o.brokerOrderId,
            filledQuantity: o.filledQuantity,
            averagePrice: rupees(o.averagePricePaise),
            rejectReason: o.rejectReason,
            createdAt: iso(o.createdAt),
          })),
        }
      : {}),
  };
}

export type TradeView = ReturnType<typeof tradeView>;
