/**
 * The emulator's money: `GET funds`, `POST funds` (set_funds) and `POST margincalculator`, shaped
 * as the official Python SDK 1.0.69 README shows them (docs/breeze-api.md#funds-and-margin).
 *
 * What is modelled, and that it is a model (Breeze's RMS and the exchange's SPAN are not public):
 * - each user has a bank balance and an allocation to the equity and F&O segments (₹10 lakh,
 *   ₹5 lakh and ₹2.5 lakh unless a test sets them);
 * - fills move the allocation: every fill pays its charges (src/domain/charges.ts, the default
 *   schedule), and closing a position books its realized P&L there;
 * - `block_by_trade_*` is the margin (src/domain/margin.ts) of the open positions at their average
 *   price, netted as one basket per segment (a hedged spread blocks its largest loss), plus that of
 *   the orders still open at their limit price, as Breeze blocks margin when an order is placed;
 * - the margin calculator answers the same model for the positions it is sent (a basket nets
 *   option spreads), as `span_margin_required`, with `non_span_margin_required` 0.
 *
 * @module
 */
import { chargesForFill, DEFAULT_CHARGES, type Segment } from '../../src/domain/charges.ts';
import { basketMargin, type MarginLeg, orderMargin } from '../../src/domain/margin.ts';
import type { Product } from '../../src/domain/trade.ts';
import { fromBreezeDay, toPaise, toRupeeString } from '../../src/broker/breeze/values.ts';
import { type EmuInstrument, instrumentKey, type OrderBook } from './book.ts';
import { type Answer, businessError, gatewayError, ok } from './wire.ts';

export interface EmuAllocation {
  bankPaise: number;
  equityPaise: number;
  fnoPaise: number;
}

const DEFAULT_ALLOCATION: EmuAllocation = { bankPaise: 100_000_000, equityPaise: 50_000_000, fnoPaise: 25_000_000 };
const rupees = (p: number) => Number((p / 100).toFixed(2));
const isFno = (i: EmuInstrument) => i.product === 'futures' || i.product === 'options';
const PRODUCT: Record<EmuInstrument['product'], Product> = { cash: 'CASH', btst: 'CASH', mtf: 'MARGIN', futures: 'FUTURES', options: 'OPTIONS' };

/** An emulator instrument as the margin model's leg. */
function legOf(i: EmuInstrument, action: 'buy' | 'sell', quantity: number, pricePaise: number): MarginLeg {
  const right = i.right === 'call' ? 'CALL' : i.right === 'put' ? 'PUT' : undefined;
  return { instrument: { symbol: i.stockCode, product: PRODUCT[i.product], expiry: i.expiry, strikePaise: i.strikePaise, right }, side: action === 'buy' ? 'BUY' : 'SELL', quantity, pricePaise };
}

export class EmuFunds {
  private readonly allocations = new Map<string, EmuAllocation>();

  allocationOf(userId: string): EmuAllocation {
    let a = this.allocations.get(userId);
    if (!a) this.allocations.set(userId, (a = { ...DEFAULT_ALLOCATION }));
    return a;
  }

  /** Set a user's bank balance and segment allocations (tests, the control API). */
  set(userId: string, allocation: Partial<EmuAllocation>): void {
    const a = this.allocationOf(userId);
    for (const key of ['bankPaise', 'equityPaise', 'fnoPaise'] as const) if (allocation[key] !== undefined) a[key] = allocation[key];
  }

  /** `GET funds`: numbers, except `unallocated_balance`, a string in the sample. */
  answer(book: OrderBook, userId: string): Answer {
    const a = this.allocationOf(userId);
    const moved = movedByFills(book, userId);
    const blocked = blockedMargin(book, userId);
    const equity = a.equityPaise + moved.equity;
    const fno = a.fnoPaise + moved.fno;
    return ok({
      bank_account: '000000000000',
      total_bank_balance: rupees(a.bankPaise),
      allocated_equity: rupees(equity),
      allocated_fno: rupees(fno),
      allocated_commodity: 0,
      allocated_currency: 0,
      block_by_trade_equity: rupees(blocked.equity),
      block_by_trade_fno: rupees(blocked.fno),
      block_by_trade_commodity: 0,
      block_by_trade_currency: 0,
      block_by_trade_balance: rupees(blocked.equity + blocked.fno),
      unallocated_balance: toRupeeString(Math.max(0, a.bankPaise - a.equityPaise - a.fnoPaise)),
    });
  }

  /** `POST funds` (set_funds): move `amount` rupees between the bank balance and a segment. */
  setFunds(userId: string, body: Record<string, unknown>): Answer {
    const type = String(body.transaction_type ?? '').toLowerCase();
    const amount = String(body.amount ?? '');
    const segment = String(body.segment ?? '').toLowerCase();
    if (type !== 'debit' && type !== 'credit') return businessError('Transaction Type should be either Debit or Credit');
    if (!/^\d+$/.test(amount) || Number(amount) <= 0) return businessError('Amount should only contain digits and be more than 0');
    if (segment !== 'equity' && segment !== 'fno') return businessError('Segment should be Equity or FNO');
    const a = this.allocationOf(userId);
    const key = segment === 'equity' ? 'equityPaise' : 'fnoPaise';
    const paise = Number(amount) * 100;
    // credit: from the bank into the segment; debit: back out of it
    a[key] += type === 'credit' ? paise : -Math.min(paise, a[key]);
    return ok({ status: 'Success' });
  }
}

/** `POST margincalculator`: the model's margin for `list_of_positions`; malformed input answers as Breeze did (I#47). */
export function marginCalculator(body: Record<string, unknown>): Answer {
  const positions = body.list_of_positions;
  const malformed = gatewayError('Index was outside the bounds of the array.');
  if (!Array.isArray(positions) || !positions.length || typeof body.exchange_code !== 'string') return malformed;
  const legs: MarginLeg[] = [];
  const echo: Record<string, string>[] = [];
  for (const p of positions as Record<string, unknown>[]) {
    const s = (k: string) => (typeof p?.[k] === 'string' || typeof p?.[k] === 'number' ? String(p[k]).trim() : '');
    const quantity = Number(s('quantity'));
    const price = toPaise(s('price'));
    const product = s('product').toLowerCase();
    const action = s('action').toLowerCase();
    if (!s('stock_code') || !(quantity > 0) || price === undefined || (product !== 'futures' && product !== 'options') || (action !== 'buy' && action !== 'sell')) return malformed;
    const right = s('right').toLowerCase() as EmuInstrument['right'];
    const instrument: EmuInstrument = { exchange: body.exchange_code.toUpperCase(), stockCode: s('stock_code').toUpperCase(), product, expiry: fromBreezeDay(s('expiry_date')), right, strikePaise: toPaise(s('strike_price')) ?? 0 };
    legs.push(legOf(instrument, action, quantity, price));
    const title = (w: string) => w.charAt(0).toUpperCase() + w.slice(1).toLowerCase();
    echo.push({ strike_price: s('strike_price'), quantity: s('quantity'), right: title(s('right') || 'others'), product: title(product), action: title(action), price: s('price'), expiry_date: s('expiry_date'), stock_code: s('stock_code') });
  }
  const value = legs.reduce((sum, l) => sum + l.quantity * l.pricePaise, 0);
  return ok({
    margin_calulation: echo,
    non_span_margin_required: '0',
    order_value: toRupeeString(value),
    order_margin: '0',
    trade_margin: null,
    block_trade_margin: '0',
    span_margin_required: toRupeeString(basketMargin(legs).marginPaise),
  });
}

const segmentOf = (i: EmuInstrument): Segment => (i.product === 'futures' ? 'FUTURES' : i.product === 'options' ? 'OPTIONS' : 'EQUITY_DELIVERY');

/** Realized P&L less charges of the user's fills, per segment (average-cost, fills in time order). */
function movedByFills(book: OrderBook, userId: string): { equity: number; fno: number } {
  const moved = { equity: 0, fno: 0 };
  const held = new Map<string, { quantity: number; averagePaise: number }>();
  const fills = book.ordersOf(userId).flatMap((o) => o.fills.map((f, i) => ({ o, f, first: i === 0 })));
  fills.sort((a, b) => a.f.at.getTime() - b.f.at.getTime() || Number(a.f.exchangeTradeId) - Number(b.f.exchangeTradeId));
  for (const { o, f, first } of fills) {
    const side = o.action === 'buy' ? 'BUY' : 'SELL';
    let cash = -chargesForFill(DEFAULT_CHARGES, segmentOf(o.instrument), side, f.quantity * f.pricePaise, first).total;
    const p = held.get(instrumentKey(o.instrument)) ?? { quantity: 0, averagePaise: 0 };
    const signed = side === 'BUY' ? f.quantity : -f.quantity;
    if (p.quantity !== 0 && Math.sign(signed) !== Math.sign(p.quantity)) {
      const closed = Math.min(Math.abs(signed), Math.abs(p.quantity));
      cash += Math.sign(p.quantity) * closed * (f.pricePaise - p.averagePaise);
    }
    const after = p.quantity + signed;
    if (p.quantity === 0 || Math.sign(signed) === Math.sign(p.quantity)) p.averagePaise = Math.round((Math.abs(p.quantity) * p.averagePaise + f.quantity * f.pricePaise) / Math.abs(after));
    else if (after !== 0 && Math.sign(after) !== Math.sign(p.quantity)) p.averagePaise = f.pricePaise;
    p.quantity = after;
    held.set(instrumentKey(o.instrument), p);
    moved[isFno(o.instrument) ? 'fno' : 'equity'] += cash;
  }
  return moved;
}

/**
 * Margin of open positions (at their average price) and of open orders (at their limit price), per
 * segment. An order that closes a position (a resting stop-loss, a target) blocks nothing for the
 * part the position covers.
 */
function blockedMargin(book: OrderBook, userId: string): { equity: number; fno: number } {
  const blocked = { equity: 0, fno: 0 };
  const positions = new Map(book.positionsOf(userId).map((p) => [instrumentKey(p.instrument), p.quantity]));
  // positions are margined as one portfolio per segment, as SPAN nets a client's hedges
  for (const fno of [false, true]) {
    const held = book.positionsOf(userId).filter((p) => p.quantity !== 0 && isFno(p.instrument) === fno);
    blocked[fno ? 'fno' : 'equity'] += basketMargin(held.map((p) => legOf(p.instrument, p.quantity > 0 ? 'buy' : 'sell', Math.abs(p.quantity), p.averagePaise))).marginPaise;
  }
  for (const o of book.ordersOf(userId)) {
    if (o.status !== 'Ordered') continue;
    const position = positions.get(instrumentKey(o.instrument)) ?? 0;
    const closing = (o.action === 'buy' ? position < 0 : position > 0) ? Math.abs(position) : 0;
    const open = o.quantity - o.fills.reduce((s, f) => s + f.quantity, 0) - closing;
    if (open > 0) blocked[isFno(o.instrument) ? 'fno' : 'equity'] += orderMargin(legOf(o.instrument, o.action, open, o.pricePaise));
  }
  return blocked;
}
