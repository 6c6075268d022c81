/**
 * The emulator's market: quotes set by tests, and one order book per logged-in user. Limit orders
 * fill in full when marketable against the quote (a buy at or above the offer, a sell at or below
 * the bid), at the quote's price as an exchange would; the rest wait until a new quote crosses
 * them. Prices are integer paise inside; rows come out the way Breeze prints them.
 *
 * @module
 */
import { fromBreezeDay, toBreezeDateTime, toBreezeDay, toPaise, toRupeeString } from '../../src/broker/breeze/values.ts';

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

export class OrderBook {
  readonly quotes = new Map<string, EmuQuote>();
  readonly orders = new Map<string, EmuOrder>();
  private sequence = 0;
  private trades = 0;

  readonly now: () => Date;

  constructor(now: () => Date) {
    this.now = now;
  }

  setQuote(instrument: EmuInstrument, quote: Omit<EmuQuote, 'at'>): void {
    this.quotes.set(instrumentKey(instrument), { ...quote, at: this.now() });
    for (const order of this.orders.values()) if (order.status === 'Ordered' && instrumentKey(order.instrument) === instrumentKey(instrument)) this.match(order);
  }

  quoteOf(instrument: EmuInstrument): EmuQuote | undefined {
    return this.quotes.get(instrumentKey(instrument));
  }

  /** A new order id in Breeze's shapes: equity `YYYYMMDD` + letter + 9 digits, F&O 18 digits (docs/breeze-api.md#identifiers). */
  nextOrderId(instrument: EmuInstrument, squareOff = false): string {
    const day = toBreezeDateTime(this.now()).slice(0, 11);
    const ymd = fromBreezeDay(day)!.replace(/-/g, '');
    const n = ++this.sequence;
    if (instrument.product === 'futures' || instrument.product === 'options') return `${ymd}${squareOff ? '25' : '14'}${String(n).padStart(8, '0')}`;
    return `${ymd}N${String(n).padStart(9, '0')}`;
  }

  add(order: EmuOrder): EmuOrder {
    this.orders.set(order.orderId, order);
    this.match(order);
    if (order.status === 'Ordered' && order.validity === 'ioc') order.status = 'Expired';
    return order;
  }

  /** Fill the order when the quote makes it marketable. */
  match(order: EmuOrder): void {
    if (order.status !== 'Ordered') return;
    const quote = this.quoteOf(order.instrument);
    if (!quote) return;
    const fillAt = order.action === 'buy' ? (quote.offerPaise ?? quote.ltpPaise) : (quote.bidPaise ?? quote.ltpPaise);
    const marketable = order.action === 'buy' ? fillAt <= order.pricePaise : fillAt >= order.pricePaise;
    if (!marketable) return;
    const n = ++this.trades;
    order.fills.push({ tradeId: `${order.createdAt.getUTCFullYear()}/${String(n).padStart(4, '0')}/${String(n).padStart(8, '0')}`, exchangeTradeId: String(5_000_000 + n), quantity: order.quantity, pricePaise: fillAt, at: this.now() });
    order.status = 'Executed';
  }

  ordersOf(userId: string): EmuOrder[] {
    return [...this.orders.values()].filter((o) => o.userId === userId);
  }

  /** Net position per instrument of a user, from its fills. */
  positionsOf(userId: string): { instrument: EmuInstrument; quantity: number; averagePaise: number }[] {
    const by = new Map<string, { instrument: EmuInstrument; quantity: number; cost: number; bought: number }>();
    for (const o of this.ordersOf(userId)) {
      for (const f of o.fills) {
        const key = instrumentKey(o.instrument);
        const p = by.get(key) ?? { instrument: o.instrument, quantity: 0, cost: 0, bought: 0 };
        const signed = o.action === 'buy' ? f.quantity : -f.quantity;
        p.quantity += signed;
        p.cost += f.quantity * f.pricePaise;
        p.bought += f.quantity;
        by.set(key, p);
      }
    }
    return [...by.values()].filter((p) => p.quantity !== 0).map((p) => ({ instrument: p.instrument, quantity: p.quantity, averagePaise: Math.round(p.cost / p.bought) }));
  }
}

const title = (w: string | undefined) => (w ? w.charAt(0).toUpperCase() + w.slice(1) : null);
const rupees = (paise: number) => toRupeeString(paise);

/** An order as Breeze's order book prints it (docs/breeze-api.md#orders). */
export function orderRowOf(o: EmuOrder): Record<string, unknown> {
  const filled = o.fills.reduce((s, f) => s + f.quantity, 0);
  const average = filled ? Math.round(o.fills.reduce((s, f) => s + f.quantity * f.pricePaise, 0) / filled) : 0;
  const derivative = o.instrument.product === 'futures' || o.instrument.product === 'options';
  return {
    order_id: o.orderId,
    exchange_order_id: o.status === 'Rejected' ? null : `10000000${o.orderId.slice(-8)}`,
    exchange_code: o.instrument.exchange,
    stock_code: o.instrument.stockCode,
    product_type: title(o.instrument.product),
    action: title(o.action),
    order_type: o.orderType === 'stoploss' ? 'StopLoss' : 'Limit',
    stoploss: '0.00',
    quantity: String(o.quantity),
    price: rupees(o.pricePaise),
    validity: o.validity === 'ioc' ? 'IoC' : 'Day',
    disclosed_quantity: '0',
    expiry_date: derivative && o.instrument.expiry ? toBreezeDay(o.instrument.expiry) : null,
    right: o.instrument.product === 'options' ? title(o.instrument.right) : derivative ? 'Others' : null,
    strike_price: o.instrument.product === 'options' ? (o.instrument.strikePaise ?? 0) / 100 : 0,
    average_price: rupees(average),
    cancelled_quantity: String(o.cancelledQuantity),
    pending_quantity: String(o.status === 'Ordered' ? o.quantity - filled : 0),
    status: o.status,
    user_remark: o.userRemark,
    order_datetime: toBreezeDateTime(o.createdAt),
    parent_order_id: null,
    modification_number: String(o.modifications),
    exchange_acknowledgement_date: null,
    SLTP_price: null,
    exchange_acknowledge_number: null,
    initial_limit: null,
    intial_sltp: null,
    LTP: null,
    limit_offset: null,
    mbc_flag: null,
    cutoff_price: null,
    validity_date: null,
  };
}

/** One execution as trade detail prints it (docs/breeze-api.md#account-reads). */
export function tradeDetailRowOf(o: EmuOrder, f: EmuFill): Record<string, unknown> {
  return {
    settlement_id: '2026001',
    exchange_trade_id: f.exchangeTradeId,
    executed_quantity: String(f.quantity),
    action: o.action === 'buy' ? 'B' : 'S',
    total_transaction_cost: rupees(f.quantity * f.pricePaise),
    brokerage_amount: '0.00',
    taxes: '0.00',
    eatm_withheld_amount: '0.00',
    cash_withheld_amount: '0.00',
    execution_price: rupees(f.pricePaise),
    stock_code: o.instrument.stockCode,
    exchange_code: o.instrument.exchange,
    trade_id: f.tradeId,
    exchange_trade_time: toBreezeDateTime(f.at),
  };
}

/** A quote row (docs/breeze-api.md#account-reads). */
export function quoteRowOf(i: EmuInstrument, q: EmuQuote): Record<string, unknown> {
  return {
    exchange_code: i.exchange,
    product_type: i.product === 'futures' ? 'Future' : title(i.product),
    stock_code: i.stockCode,
    expiry_date: i.expiry ? toBreezeDay(i.expiry) : null,
    right: i.product === 'options' ? title(i.right) : '*',
    strike_price: (i.strikePaise ?? 0) / 100,
    ltp: q.ltpPaise / 100,
    ltt: toBreezeDateTime(q.at),
    best_bid_price: (q.bidPaise ?? q.ltpPaise) / 100,
    best_bid_quantity: '100',
    best_offer_price: (q.offerPaise ?? q.ltpPaise) / 100,
    best_offer_quantity: '100',
    open: q.ltpPaise / 100,
    high: q.ltpPaise / 100,
    low: q.ltpPaise / 100,
    previous_close: (q.previousClosePaise ?? q.ltpPaise) / 100,
    ltp_percent_change: 0,
    upper_circuit: q.upperCircuitPaise === undefined ? 0 : q.upperCircuitPaise / 100,
    lower_circuit: q.lowerCircuitPaise === undefined ? 0 : q.lowerCircuitPaise / 100,
    total_quantity_traded: '0',
    spot_price: q.ltpPaise / 100,
  };
}
