/**
 * How the emulator prints its orders, executions and quotes: the rows of Breeze's order book, trade
 * detail and quotes (docs/breeze-api.md#orders, docs/breeze-api.md#account-reads).
 *
 * @module
 */
import { toBreezeDateTime, toBreezeDay, toRupeeString } from '../../src/broker/breeze/values.ts';
import type { EmuFill, EmuInstrument, EmuOrder, EmuQuote } from './book.ts';

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
    stoploss: rupees(o.triggerPaise ?? 0),
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
