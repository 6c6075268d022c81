/**
 * Our orders, instruments, positions and quotes ↔ Breeze's request bodies and response rows
 * (docs/breeze-api.md#orders and #envelope-and-values). Requests carry lowercase words, rupee strings and ISO dates;
 * responses come back Title-case with IST dates and are normalised to paise here.
 *
 * @module
 */
import type { Paise } from '../../domain/money.ts';
import type { Instrument } from '../../domain/trade.ts';
import { orderRemark, tagOfRemark } from '../../domain/strategy.ts';
import { BrokerRejectedError } from '../errors.ts';
import type { BrokerFill, BrokerOrder, BrokerOrderRequest, BrokerOrderStatus, BrokerPosition, OrderChange, Quote } from '../types.ts';
import type { OrderRow, PositionRow, QuoteRow, TradeDetailRow } from './rows.ts';
import type { SecurityMaster } from './security-master.ts';
import {
  fromBreezeDateTime,
  fromBreezeDay,
  PRODUCT_TO_BREEZE,
  productFromBreeze,
  rightFromBreeze,
  rightToBreeze,
  sideFromBreeze,
  sideToBreeze,
  toBreezeDate,
  toCount,
  toPaise,
  toRupeeString,
} from './values.ts';

/** Breeze's order status words (docs/breeze-api.md#orders) in our four states; anything unknown stays OPEN and is polled again. */
const STATUS: Record<string, BrokerOrderStatus> = {
  requested: 'OPEN',
  queued: 'OPEN',
  ordered: 'OPEN',
  'partially executed': 'OPEN',
  freezed: 'OPEN',
  executed: 'FILLED',
  rejected: 'REJECTED',
  cancelled: 'CANCELLED',
  expired: 'CANCELLED',
  'partially executed and expired': 'CANCELLED',
  'partially executed and cancelled': 'CANCELLED',
};

export function statusFromBreeze(status: string | null | undefined): BrokerOrderStatus {
  return STATUS[(status ?? '').trim().toLowerCase()] ?? 'OPEN';
}

/** The instrument fields every order, quote and square-off body carries. */
export function instrumentFields(instrument: Instrument, stockCode: string): Record<string, string> {
  const product = PRODUCT_TO_BREEZE[instrument.product];
  if (!product) throw new BrokerRejectedError(`${instrument.product} orders cannot be placed through Breeze (SEBI/ICICI: margin products are barred via API)`);
  const fields: Record<string, string> = { stock_code: stockCode, exchange_code: instrument.exchange, product };
  if (instrument.product === 'FUTURES' || instrument.product === 'OPTIONS') {
    if (!instrument.expiry) throw new BrokerRejectedError(`${instrument.symbol}: an F&O order needs an expiry date`);
    fields.expiry_date = toBreezeDate(instrument.expiry);
    fields.right = instrument.product === 'OPTIONS' ? rightToBreeze(instrument.right) : 'others';
    fields.strike_price = instrument.product === 'OPTIONS' ? toRupeeString(instrument.strikePaise ?? 0).replace(/\.00$/, '') : '0';
  }
  return fields;
}

/**
 * The body of `PUT order` (docs/breeze-api.md#stop-loss-orders): the order named by its id and
 * exchange, with its type and prices as they are to become; a limit sends `stoploss: "0"`, which
 * turns a stop into a limit order (ICICI, I#138).
 */
export function modifyOrderBody(brokerOrderId: string, instrument: Instrument, change: OrderChange): Record<string, string> {
  const body: Record<string, string> = {
    order_id: brokerOrderId,
    exchange_code: instrument.exchange,
    order_type: change.orderType === 'STOP_LIMIT' ? 'stoploss' : 'limit',
    price: toRupeeString(change.limitPricePaise),
    stoploss: change.orderType === 'STOP_LIMIT' && change.triggerPricePaise ? toRupeeString(change.triggerPricePaise) : '0',
    validity: 'day',
  };
  if (change.quantity !== undefined) body.quantity = String(change.quantity);
  return body;
}

/**
 * The body of `POST order` for a limit order at `pricePaise` (market orders are priced before
 * this; see market-orders.ts). The tag travels in `user_remark`, the one free-text field that comes
 * back in the order book.
 */
export function placeOrderBody(request: BrokerOrderRequest, stockCode: string, pricePaise: Paise): Record<string, string> {
  return {
    ...instrumentFields(request.instrument, stockCode),
    action: sideToBreeze(request.side),
    // a STOP_LIMIT is Breeze's `stoploss`: trigger in `stoploss`, limit in `price` (docs/breeze-api.md#stop-loss-orders)
    order_type: request.orderType === 'STOP_LIMIT' ? 'stoploss' : 'limit',
    quantity: String(request.quantity),
    price: toRupeeString(pricePaise),
    validity: 'day',
    stoploss: request.orderType === 'STOP_LIMIT' && request.triggerPricePaise ? toRupeeString(request.triggerPricePaise) : '',
    disclosed_quantity: '0',
    // the tag first, then the strategy and its algo id (docs/breeze-api.md#strategy-and-algo-id)
    user_remark: orderRemark(request.tag, request.strategy, request.algoId),
    settlement_id: '',
    order_segment_code: '',
    lots: '',
  };
}

/** The instrument of a response row, when its product is one we trade. */
export function instrumentFromRow(
  row: { stock_code?: string | null; exchange_code?: string | null; product_type?: string | null; expiry_date?: string | null; right?: string | null; strike_price?: string | number | null },
  master: SecurityMaster,
): Instrument {
  const product = productFromBreeze(row.product_type) ?? 'CASH';
  const exchange = (row.exchange_code ?? 'NSE').toUpperCase() as Instrument['exchange'];
  const instrument: Instrument = { symbol: master.toSymbol(row.stock_code ?? ''), exchange, product };
  if (product === 'FUTURES' || product === 'OPTIONS') instrument.expiry = fromBreezeDay(row.expiry_date);
  if (product === 'OPTIONS') {
    instrument.strikePaise = toPaise(row.strike_price);
    instrument.right = rightFromBreeze(row.right);
  }
  return instrument;
}

/** Units filled so far: Breeze reports what is pending and cancelled, not what traded. */
export function filledQuantityOf(row: OrderRow): number {
  const quantity = toCount(row.quantity);
  if (statusFromBreeze(row.status) === 'FILLED') return quantity;
  return Math.max(0, quantity - toCount(row.pending_quantity) - toCount(row.cancelled_quantity));
}

/** An order row as our BrokerOrder. `instrument` is the caller's when known (it is exact); else read from the row. */
export function orderFromRow(row: OrderRow, master: SecurityMaster, instrument?: Instrument, fills: BrokerFill[] = []): BrokerOrder {
  const status = statusFromBreeze(row.status);
  const filledQuantity = filledQuantityOf(row);
  const average = toPaise(row.average_price);
  return {
    brokerOrderId: row.order_id,
    tag: tagOfRemark(row.user_remark),
    instrument: instrument ?? instrumentFromRow(row, master),
    side: sideFromBreeze(row.action) ?? 'BUY',
    quantity: toCount(row.quantity),
    status,
    filledQuantity,
    averagePricePaise: filledQuantity > 0 && average ? average : undefined,
    rejectReason: status === 'REJECTED' ? `Breeze status ${row.status ?? 'Rejected'}` : undefined,
    fills,
  };
}

/** One execution of trade detail (`GET trades` with an order id) as a fill. */
export function fillFromRow(row: TradeDetailRow, orderId: string, index: number): BrokerFill | undefined {
  const quantity = toCount(row.executed_quantity);
  const pricePaise = toPaise(row.execution_price);
  if (quantity <= 0 || !pricePaise) return undefined;
  const id = row.exchange_trade_id ?? row.trade_id;
  return {
    fillId: id === null || id === undefined || id === '' ? `${orderId}-${index + 1}` : String(id),
    quantity,
    pricePaise,
    at: fromBreezeDateTime(row.exchange_trade_time) ?? new Date().toISOString(),
  };
}

/**
 * A portfolio position as a signed BrokerPosition; undefined when flat. The sign convention of
 * `quantity` for shorts is unconfirmed (docs/breeze-api.md#account-reads): a negative quantity is taken as it is, an unsigned
 * one is signed by `action`.
 */
export function positionFromRow(row: PositionRow, master: SecurityMaster): BrokerPosition | undefined {
  const raw = toCount(row.quantity);
  if (raw === 0) return undefined;
  const quantity = raw < 0 ? raw : sideFromBreeze(row.action) === 'SELL' ? -raw : raw;
  return { instrument: instrumentFromRow(row, master), quantity, averagePricePaise: toPaise(row.average_price) ?? 0 };
}

/** A quote row as our Quote; undefined without a last price. */
export function quoteFromRow(row: QuoteRow, now: Date): Quote | undefined {
  const last = toPaise(row.ltp);
  if (!last) return undefined;
  return {
    lastPricePaise: last,
    at: fromBreezeDateTime(row.ltt) ?? now.toISOString(),
    upperCircuitPaise: toPaise(row.upper_circuit) || undefined,
    lowerCircuitPaise: toPaise(row.lower_circuit) || undefined,
  };
}
