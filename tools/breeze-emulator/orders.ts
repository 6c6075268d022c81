/**
 * The emulator's order endpoints: place (`POST order`), modify (`PUT order`), cancel
 * (`DELETE order`), detail and list (`GET order`), and square-off (`POST squareoff`), with the
 * refusals Breeze makes since the 2025 rules: no `market` orders, no margin or Option Plus
 * (docs/breeze-api.md#orders and #regulatory-restrictions). Request enums are compared case-blind
 * (docs/breeze-api.md#envelope-and-values). A `stoploss` order needs its trigger (`stoploss`, or
 * `stoploss_price` on square-off) on the right side of its limit price
 * (docs/breeze-api.md#stop-loss-orders). Quantities must be whole lots and prices whole ticks of
 * the instrument in the emulator's security master (master.ts), and an F&O order no bigger than
 * its underlying's freeze quantity (docs/indian-market.md#freeze-quantities).
 *
 * @module
 */
import { fromBreezeDay, toPaise } from '../../src/broker/breeze/values.ts';
import { type EmuInstrument, type EmuOrder, instrumentOf, type OrderBook } from './book.ts';
import type { SecurityMasterData } from './master.ts';
import { orderRowOf } from './rows.ts';
import { type Answer, businessError, ok, TEXT } from './wire.ts';

type Body = Record<string, unknown>;

const str = (body: Body, key: string) => (typeof body[key] === 'string' || typeof body[key] === 'number' ? String(body[key]).trim() : '');
const lower = (body: Body, key: string) => str(body, key).toLowerCase();

const PRODUCTS = ['cash', 'futures', 'options', 'btst', 'mtf'];
const BARRED_PRODUCTS = ['margin', 'optionplus'];

/** `POST order` and `POST squareoff`: the same checks, different field names for the product. */
export function placeOrder(book: OrderBook, master: SecurityMasterData, userId: string, body: Body, squareOff = false): Answer {
  const product = lower(body, squareOff ? 'product_type' : 'product');
  const orderType = lower(body, 'order_type');
  if (orderType === 'market') return businessError(TEXT.marketDenied, 400);
  if (BARRED_PRODUCTS.includes(product)) return businessError(TEXT.productBarred);
  const problem = invalid(body, product, orderType);
  if (problem) return businessError(problem);
  const instrument = instrumentOf({ ...body, product });
  const pricePaise = toPaise(str(body, 'price'))!;
  const quantity = Number(str(body, 'quantity'));
  const triggerPaise = orderType === 'stoploss' ? toPaise(str(body, squareOff ? 'stoploss_price' : 'stoploss')) : undefined;
  const action = lower(body, 'action') as 'buy' | 'sell';
  const refusal = (orderType === 'stoploss' ? stopProblem(action, pricePaise, triggerPaise) : undefined) ?? sizeProblem(master, instrument, quantity, [pricePaise, triggerPaise]);
  if (refusal) return businessError(refusal);
  const order: EmuOrder = {
    orderId: book.nextOrderId(instrument, squareOff),
    userId,
    instrument,
    action,
    orderType: orderType as 'limit' | 'stoploss',
    quantity,
    pricePaise,
    triggerPaise,
    validity: lower(body, 'validity') === 'ioc' ? 'ioc' : 'day',
    status: 'Ordered',
    userRemark: str(body, 'user_remark'),
    createdAt: book.now(),
    modifications: 0,
    cancelledQuantity: 0,
    fills: [],
  };
  const quote = book.quoteOf(instrument);
  // outside the day's band: accepted, then rejected by the exchange (asynchronous, like RMS rejections)
  if (quote?.upperCircuitPaise && quote.lowerCircuitPaise && (pricePaise > quote.upperCircuitPaise || pricePaise < quote.lowerCircuitPaise)) order.status = 'Rejected';
  book.add(order);
  if (squareOff) return ok({ order_id: order.orderId, message: 'Successfully Placed the order', indicator: '0' });
  if (instrument.product === 'futures' || instrument.product === 'options') return ok({ order_id: order.orderId, message: 'Successfully Placed the order', user_remark: order.userRemark });
  return ok({ order_id: order.orderId, message: `Equity CASH Order placed successfully through RI reference no ${order.orderId}`, user_remark: order.userRemark || null });
}

/** Field problems of a new order; the texts are ours (the real per-field texts are unknown, docs/breeze-api.md#unconfirmed). */
function invalid(body: Body, product: string, orderType: string): string | undefined {
  if (!str(body, 'stock_code')) return 'Invalid stock_code';
  if (!['NSE', 'BSE', 'NFO', 'BFO'].includes(str(body, 'exchange_code').toUpperCase())) return 'Invalid exchange_code';
  if (!PRODUCTS.includes(product)) return 'Invalid product';
  if (!['buy', 'sell'].includes(lower(body, 'action'))) return 'Invalid action';
  if (!['limit', 'stoploss'].includes(orderType)) return 'Invalid Market/Limit indicator:';
  if (!/^[1-9]\d*$/.test(str(body, 'quantity'))) return 'Invalid quantity';
  const price = toPaise(str(body, 'price'));
  if (!price || price <= 0) return 'Invalid price';
  if ((product === 'futures' || product === 'options') && !fromBreezeDay(str(body, 'expiry_date'))) return 'Invalid expiry_date';
  if (product === 'options' && !['call', 'put'].includes(lower(body, 'right'))) return 'Invalid right';
  return undefined;
}

/** A stop-limit needs a trigger, and a limit no better than it: a sell limit at or below the trigger, a buy at or above (I#28, I#141). */
export function stopProblem(action: 'buy' | 'sell', pricePaise: number, triggerPaise: number | undefined): string | undefined {
  if (!triggerPaise || triggerPaise <= 0) return TEXT.stopWithoutTrigger;
  if (action === 'sell' ? pricePaise > triggerPaise : pricePaise < triggerPaise) return TEXT.stopPriceSide;
  return undefined;
}

/** Whole lots and whole ticks of the instrument; F&O needs its underlying in the master. */
export function sizeProblem(master: SecurityMasterData, instrument: EmuInstrument, quantity: number, prices: (number | undefined)[]): string | undefined {
  const entry = master.entryOf(instrument);
  if (entry.index) return 'Invalid stock_code';
  if (entry.lotSize === undefined) return TEXT.unknownContract;
  if (quantity % entry.lotSize !== 0) return `${TEXT.lotSize}${entry.lotSize}`;
  if (entry.freezeQuantity && quantity > entry.freezeQuantity) return `${TEXT.freezeQuantity}${entry.freezeQuantity}`;
  if (prices.some((p) => p !== undefined && p % entry.tickPaise !== 0)) return `${TEXT.tickSize}${(entry.tickPaise / 100).toFixed(2)}`;
  return undefined;
}

function find(book: OrderBook, userId: string, body: Body): EmuOrder | undefined {
  const order = book.orders.get(str(body, 'order_id'));
  return order && order.userId === userId && order.instrument.exchange === str(body, 'exchange_code').toUpperCase() ? order : undefined;
}

/** `PUT order`: only open orders change; the SDK's own texts for the rest (docs/breeze-api.md#orders). */
export function modifyOrder(book: OrderBook, master: SecurityMasterData, userId: string, body: Body): Answer {
  const order = find(book, userId, body);
  if (!order) return businessError(TEXT.noData);
  if (order.status !== 'Ordered') return businessError(TEXT.notModifiable);
  const orderType = lower(body, 'order_type');
  if (orderType === 'market') return businessError(TEXT.marketDenied, 400);
  if (str(body, 'quantity') && !/^[1-9]\d*$/.test(str(body, 'quantity'))) return businessError('Invalid quantity');
  const quantity = str(body, 'quantity') ? Number(str(body, 'quantity')) : order.quantity;
  const pricePaise = str(body, 'price') ? toPaise(str(body, 'price')) : order.pricePaise;
  if (!pricePaise || pricePaise <= 0) return businessError('Invalid price');
  const type = orderType === 'limit' || orderType === 'stoploss' ? orderType : order.orderType;
  // `stoploss: "0"` with `order_type: "limit"` turns a stop into a limit order (I#138)
  const given = str(body, 'stoploss') ? toPaise(str(body, 'stoploss')) : undefined;
  const triggerPaise = type === 'stoploss' ? (given || order.triggerPaise) : undefined;
  const refusal = (type === 'stoploss' && !order.triggeredAt ? stopProblem(order.action, pricePaise, triggerPaise) : undefined) ?? sizeProblem(master, order.instrument, quantity, [pricePaise, triggerPaise]);
  if (refusal) return businessError(refusal);
  Object.assign(order, { quantity, pricePaise, orderType: type, triggerPaise });
  order.modifications++;
  book.modified(order);
  return ok({ message: 'Successfully Modified the order', order_id: order.orderId });
}

/** `DELETE order`. */
export function cancelOrder(book: OrderBook, userId: string, body: Body): Answer {
  const order = find(book, userId, body);
  if (!order) return businessError(TEXT.noData);
  if (order.status !== 'Ordered') return businessError(`Order is already ${order.status}`);
  book.cancel(order);
  return ok({ order_id: order.orderId, message: 'Your Order Canceled successfully.' });
}

/** `GET order`: detail with `order_id`, else the list between `from_date` and `to_date` (IST days). */
export function getOrders(book: OrderBook, userId: string, body: Body, istDay: (d: Date) => string): Answer {
  if (str(body, 'order_id')) {
    const order = find(book, userId, body);
    return order ? ok([orderRowOf(order)]) : businessError(TEXT.noData);
  }
  const exchange = str(body, 'exchange_code').toUpperCase();
  const from = fromBreezeDay(str(body, 'from_date'));
  const to = fromBreezeDay(str(body, 'to_date'));
  if (!exchange || !from || !to) return businessError('Invalid from_date or to_date');
  const rows = book
    .ordersOf(userId)
    .filter((o) => o.instrument.exchange === exchange && istDay(o.createdAt) >= from && istDay(o.createdAt) <= to)
    .map(orderRowOf);
  return rows.length ? ok(rows) : businessError(TEXT.noData);
}
