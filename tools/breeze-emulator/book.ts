/**
 * The emulator's market: quotes set by tests, and one order book per logged-in user. Limit orders
 * fill in full when marketable against the quote (a buy at or above the offer, a sell at or below
 * the bid), at the quote's price as an exchange would; the rest wait until a new quote crosses
 * them. A stop-loss order is a stop-limit (docs/breeze-api.md#stop-loss-orders): it rests untouched
 * until the last price reaches its trigger, then works as a limit order at its limit price, so a
 * stop whose limit was gapped through stays open as a limit. An equity has one price on NSE and
 * BSE unless a test sets each. Prices are integer paise inside; every change is told to listeners
 * (the streams).
 *
 * @module
 */
import { fromBreezeDay, toBreezeDateTime, toPaise } from '../../src/broker/breeze/values.ts';

export interface EmuQuote {
  ltpPaise: number;
  bidPaise?: number | undefined;
  offerPaise?: number | undefined;
  upperCircuitPaise?: number | undefined;
  lowerCircuitPaise?: number | undefined;
  previousClosePaise?: number | undefined;
  at: Date;
}

/** What names an instrument on the wire (request fields, lowercased where Breeze is case-blind). */
export interface EmuInstrument {
  exchange: string;
  stockCode: string;
  product: 'cash' | 'futures' | 'options' | 'btst' | 'mtf';
  expiry?: string | undefined;
  right?: 'call' | 'put' | 'others' | undefined;
  strikePaise?: number | undefined;
}

export interface EmuFill {
  tradeId: string;
  exchangeTradeId: string;
  quantity: number;
  pricePaise: number;
  at: Date;
}

export type EmuStatus = 'Ordered' | 'Executed' | 'Cancelled' | 'Rejected' | 'Expired';

export interface EmuOrder {
  orderId: string;
  userId: string;
  instrument: EmuInstrument;
  action: 'buy' | 'sell';
  orderType: 'limit' | 'stoploss';
  quantity: number;
  pricePaise: number;
  /** Stop-loss orders: the trigger price (Breeze's `stoploss` field). */
  triggerPaise?: number | undefined;
  /** When the trigger was touched; from then on the order works as a limit. */
  triggeredAt?: Date | undefined;
  validity: 'day' | 'ioc';
  status: EmuStatus;
  userRemark: string;
  createdAt: Date;
  modifications: number;
  cancelledQuantity: number;
  fills: EmuFill[];
}

export function instrumentKey(i: EmuInstrument): string {
  const derivative = i.product === 'futures' || i.product === 'options';
  return [i.exchange, i.stockCode, derivative ? i.product : 'cash', i.expiry ?? '', i.product === 'options' ? (i.right ?? '') : '', i.product === 'options' ? (i.strikePaise ?? 0) : ''].join('|');
}

/** An instrument from a request body (`product` on orders, `product_type` on quotes). */
export function instrumentOf(body: Record<string, unknown>): EmuInstrument {
  const s = (k: string) => (typeof body[k] === 'string' || typeof body[k] === 'number' ? String(body[k]).trim() : '');
  const product = (s('product') || s('product_type') || 'cash').toLowerCase() as EmuInstrument['product'];
  const instrument: EmuInstrument = { exchange: s('exchange_code').toUpperCase(), stockCode: s('stock_code').toUpperCase(), product };
  if (product === 'futures' || product === 'options') instrument.expiry = fromBreezeDay(s('expiry_date'));
  if (product === 'options') {
    instrument.right = s('right').toLowerCase() as EmuInstrument['right'];
    instrument.strikePaise = toPaise(s('strike_price')) ?? 0;
  }
  return instrument;
}

/** What changed in the book, for the streams (order notifications name the order's state change). */
export type BookEvent =
  | { kind: 'quote'; instrument: EmuInstrument; quote: EmuQuote }
  | { kind: 'order'; order: EmuOrder; change: 'placed' | 'modified' | 'triggered' | 'filled' | 'cancelled' | 'rejected' | 'expired' };

const EQUITY_EXCHANGES = ['NSE', 'BSE'];
const isDerivative = (i: EmuInstrument) => i.product === 'futures' || i.product === 'options';

/** The same equity on the other exchange (NSE ↔ BSE), whose price follows this one unless set. */
function sibling(i: EmuInstrument): EmuInstrument | undefined {
  if (isDerivative(i) || !EQUITY_EXCHANGES.includes(i.exchange)) return undefined;
  return { ...i, exchange: i.exchange === 'NSE' ? 'BSE' : 'NSE' };
}

export class OrderBook {
  readonly quotes = new Map<string, EmuQuote>();
  readonly orders = new Map<string, EmuOrder>();
  private sequence = 0;
  private trades = 0;
  private readonly listeners: ((event: BookEvent) => void)[] = [];

  readonly now: () => Date;

  constructor(now: () => Date) {
    this.now = now;
  }

  /** Be told of every quote and order change, after it happened. */
  listen(listener: (event: BookEvent) => void): void {
    this.listeners.push(listener);
  }

  setQuote(instrument: EmuInstrument, quote: Omit<EmuQuote, 'at'>): void {
    const set = { ...quote, at: this.now() };
    this.quotes.set(instrumentKey(instrument), set);
    this.tell({ kind: 'quote', instrument, quote: set });
    const other = sibling(instrument);
    if (other && !this.quotes.has(instrumentKey(other))) this.tell({ kind: 'quote', instrument: other, quote: set });
    const touched = new Set([instrumentKey(instrument), ...(other ? [instrumentKey(other)] : [])]);
    for (const order of [...this.orders.values()]) if (order.status === 'Ordered' && touched.has(instrumentKey(order.instrument))) this.match(order);
  }

  /** The instrument's quote; an equity without one of its own takes its other exchange's. */
  quoteOf(instrument: EmuInstrument): EmuQuote | undefined {
    const own = this.quotes.get(instrumentKey(instrument));
    const other = sibling(instrument);
    return own ?? (other ? this.quotes.get(instrumentKey(other)) : undefined);
  }

  /** A new order id in Breeze's shapes: equity `YYYYMMDD` + letter + 9 digits, F&O 18 digits (docs/breeze-api.md#identifiers). */
  nextOrderId(instrument: EmuInstrument, squareOff = false): string {
    const day = toBreezeDateTime(this.now()).slice(0, 11);
    const ymd = fromBreezeDay(day)!.replace(/-/g, '');
    const n = ++this.sequence;
    if (isDerivative(instrument)) return `${ymd}${squareOff ? '25' : '14'}${String(n).padStart(8, '0')}`;
    return `${ymd}N${String(n).padStart(9, '0')}`;
  }

  add(order: EmuOrder): EmuOrder {
    this.orders.set(order.orderId, order);
    this.tell({ kind: 'order', order, change: order.status === 'Rejected' ? 'rejected' : 'placed' });
    this.match(order);
    if (order.status === 'Ordered' && order.validity === 'ioc') {
      order.status = 'Expired';
      this.tell({ kind: 'order', order, change: 'expired' });
    }
    return order;
  }

  /** After `PUT order` changed an open order: tell, then match at its new terms. */
  modified(order: EmuOrder): void {
    this.tell({ kind: 'order', order, change: 'modified' });
    this.match(order);
  }

  cancel(order: EmuOrder): void {
    order.status = 'Cancelled';
    order.cancelledQuantity = order.quantity - order.fills.reduce((s, f) => s + f.quantity, 0);
    this.tell({ kind: 'order', order, change: 'cancelled' });
  }

  /** Trigger a stop whose trigger the last price touched, then fill the order when the quote makes it marketable. */
  match(order: EmuOrder): void {
    if (order.status !== 'Ordered') return;
    const quote = this.quoteOf(order.instrument);
    if (!quote) return;
    if (order.orderType === 'stoploss' && !order.triggeredAt) {
      const trigger = order.triggerPaise ?? 0;
      const touched = order.action === 'sell' ? quote.ltpPaise <= trigger : quote.ltpPaise >= trigger;
      if (!touched) return;
      order.triggeredAt = this.now();
      this.tell({ kind: 'order', order, change: 'triggered' });
    }
    const fillAt = order.action === 'buy' ? (quote.offerPaise ?? quote.ltpPaise) : (quote.bidPaise ?? quote.ltpPaise);
    const marketable = order.action === 'buy' ? fillAt <= order.pricePaise : fillAt >= order.pricePaise;
    if (!marketable) return;
    const n = ++this.trades;
    order.fills.push({ tradeId: `${order.createdAt.getUTCFullYear()}/${String(n).padStart(4, '0')}/${String(n).padStart(8, '0')}`, exchangeTradeId: String(5_000_000 + n), quantity: order.quantity, pricePaise: fillAt, at: this.now() });
    order.status = 'Executed';
    this.tell({ kind: 'order', order, change: 'filled' });
  }

  ordersOf(userId: string): EmuOrder[] {
    return [...this.orders.values()].filter((o) => o.userId === userId);
  }

  /**
   * Net position per instrument of a user, from its fills in time order. The average price is that of
   * the open quantity: adding at a new price moves it, closing part of the position leaves it as it
   * was, and a fill that flips the position starts the new side at its own price.
   */
  positionsOf(userId: string): { instrument: EmuInstrument; quantity: number; averagePaise: number }[] {
    const fills = this.ordersOf(userId).flatMap((o) => o.fills.map((f) => ({ o, f })));
    fills.sort((a, b) => a.f.at.getTime() - b.f.at.getTime() || Number(a.f.exchangeTradeId) - Number(b.f.exchangeTradeId));
    const by = new Map<string, { instrument: EmuInstrument; quantity: number; averagePaise: number }>();
    for (const { o, f } of fills) {
      const key = instrumentKey(o.instrument);
      const p = by.get(key) ?? { instrument: o.instrument, quantity: 0, averagePaise: 0 };
      const signed = o.action === 'buy' ? f.quantity : -f.quantity;
      const after = p.quantity + signed;
      if (p.quantity === 0 || Math.sign(signed) === Math.sign(p.quantity)) p.averagePaise = Math.round((Math.abs(p.quantity) * p.averagePaise + f.quantity * f.pricePaise) / Math.abs(after));
      else if (after !== 0 && Math.sign(after) !== Math.sign(p.quantity)) p.averagePaise = f.pricePaise;
      p.quantity = after;
      if (after === 0) p.averagePaise = 0;
      by.set(key, p);
    }
    return [...by.values()].filter((p) => p.quantity !== 0);
  }

  private tell(event: BookEvent): void {
    for (const listener of this.listeners) listener(event);
  }
}
