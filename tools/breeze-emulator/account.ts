/**
 * The emulator's read endpoints beyond orders: trades (list and detail), portfolio positions and
 * holdings and quotes (funds: ./funds.ts), printed the way Breeze prints them (docs/breeze-api.md#account-reads).
 *
 * @module
 */
import { fromBreezeDay, toBreezeDay, toRupeeString } from '../../src/broker/breeze/values.ts';
import { type EmuOrder, instrumentOf, type OrderBook } from './book.ts';
import { quoteRowOf, tradeDetailRowOf } from './rows.ts';
import { type Answer, businessError, ok, TEXT } from './wire.ts';

type Body = Record<string, unknown>;
const str = (body: Body, key: string) => (typeof body[key] === 'string' ? body[key].trim() : '');
const title = (w: string) => w.charAt(0).toUpperCase() + w.slice(1);

/**
 * `GET trades`: executions of one order with `order_id`, else the trade book of an exchange, narrowed
 * by the optional filters the SDK's `get_trade_list` sends: `from_date`/`to_date` (IST days of the
 * first fill), `action`, `product_type` and `stock_code`.
 */
export function getTrades(book: OrderBook, userId: string, body: Body, istDay: (d: Date) => string): Answer {
  const exchange = str(body, 'exchange_code').toUpperCase();
  if (str(body, 'order_id')) {
    const order = book.orders.get(str(body, 'order_id'));
    if (!order || order.userId !== userId || !order.fills.length) return businessError(TEXT.noData);
    return ok(order.fills.map((f) => tradeDetailRowOf(order, f)));
  }
  const rows = book
    .ordersOf(userId)
    .filter((o) => o.instrument.exchange === exchange && o.fills.length && tradeMatches(o, body, istDay))
    .map((o) => {
      const qty = o.fills.reduce((s, f) => s + f.quantity, 0);
      const avg = Math.round(o.fills.reduce((s, f) => s + f.quantity * f.pricePaise, 0) / qty);
      return {
        book_type: 'Trade-Book',
        trade_date: toBreezeDay(istDay(o.fills[0]!.at)),
        stock_code: o.instrument.stockCode,
        action: title(o.action),
        quantity: String(qty),
        average_cost: toRupeeString(avg),
        brokerage_amount: '0.00',
        product_type: title(o.instrument.product),
        exchange_code: o.instrument.exchange,
        order_id: o.orderId,
        segment: o.instrument.product === 'cash' ? 'N' : 'F',
        total_taxes: '0.00',
        order_type: 'Limit',
        expiry_date: o.instrument.expiry ? toBreezeDay(o.instrument.expiry) : null,
        right: o.instrument.right ? title(o.instrument.right) : null,
        strike_price: String((o.instrument.strikePaise ?? 0) / 100),
      };
    });
  return rows.length ? ok(rows) : businessError(TEXT.noData);
}

function tradeMatches(o: EmuOrder, body: Body, istDay: (d: Date) => string): boolean {
  const day = istDay(o.fills[0]!.at);
  const from = fromBreezeDay(str(body, 'from_date'));
  const to = fromBreezeDay(str(body, 'to_date'));
  const is = (key: string, value: string) => !str(body, key) || str(body, key).toLowerCase() === value.toLowerCase();
  return (!from || day >= from) && (!to || day <= to) && is('action', o.action) && is('product_type', o.instrument.product) && is('stock_code', o.instrument.stockCode);
}

/** `GET portfoliopositions`: `action` plus an unsigned `quantity`, as the README sample shows (docs/breeze-api.md#account-reads). */
export function getPositions(book: OrderBook, userId: string): Answer {
  const rows = book.positionsOf(userId).map((p) => ({
    segment: p.instrument.product === 'cash' ? 'equity' : 'fno',
    product_type: title(p.instrument.product),
    exchange_code: p.instrument.exchange,
    stock_code: p.instrument.stockCode,
    expiry_date: p.instrument.expiry ? toBreezeDay(p.instrument.expiry) : null,
    strike_price: String((p.instrument.strikePaise ?? 0) / 100),
    right: p.instrument.right ? title(p.instrument.right) : 'Others',
    action: p.quantity > 0 ? 'Buy' : 'Sell',
    quantity: String(Math.abs(p.quantity)),
    average_price: toRupeeString(p.averagePaise),
    ltp: book.quoteOf(p.instrument) ? toRupeeString(book.quoteOf(p.instrument)!.ltpPaise) : null,
    pnl: null,
  }));
  return rows.length ? ok(rows) : businessError(TEXT.noData);
}

/** `GET portfolioholdings`: long cash positions of the exchange asked for. */
export function getHoldings(book: OrderBook, userId: string, body: Body): Answer {
  const exchange = str(body, 'exchange_code').toUpperCase();
  if (!exchange) return businessError('Invalid exchange_code');
  const rows = book
    .positionsOf(userId)
    .filter((p) => p.instrument.exchange === exchange && p.quantity > 0)
    .map((p) => ({
      stock_code: p.instrument.stockCode,
      exchange_code: p.instrument.exchange,
      quantity: String(p.quantity),
      average_price: toRupeeString(p.averagePaise),
      booked_profit_loss: null,
      current_market_price: book.quoteOf(p.instrument) ? toRupeeString(book.quoteOf(p.instrument)!.ltpPaise) : null,
      product_type: title(p.instrument.product),
    }));
  return rows.length ? ok(rows) : businessError(TEXT.noData);
}

/**
 * `GET quotes`: the quote a test set for the instrument. An equity gets one row per exchange, NSE
 * first, whichever exchange was asked (docs/breeze-api.md#account-reads); a derivative gets one.
 */
export function getQuotes(book: OrderBook, body: Body): Answer {
  if (!str(body, 'stock_code') || !str(body, 'exchange_code')) return businessError('Invalid stock_code or exchange_code');
  const instrument = instrumentOf(body);
  const equity = ['NSE', 'BSE'].includes(instrument.exchange) && instrument.product !== 'futures' && instrument.product !== 'options';
  const asked = equity ? ['NSE', 'BSE'].map((exchange) => ({ ...instrument, exchange })) : [instrument];
  const rows = asked.flatMap((i) => {
    const quote = book.quoteOf(i);
    return quote ? [quoteRowOf(i, quote)] : [];
  });
  return rows.length ? ok(rows) : businessError(TEXT.noData);
}
