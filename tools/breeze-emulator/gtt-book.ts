/**
 * The emulator's GTT (good-till-triggered) orders (docs/breeze-api.md#gtt-orders): a single leg,
 * or a three-leg OCO (`oco`, protecting a position held already; `cover_oco`, protecting a fresh
 * entry order placed with it) whose target and stop-loss legs are one-cancels-other. A leg rests
 * until the last price touches its trigger (a sell target at or above, a sell stop-loss at or below,
 * a buy the mirror image; a single leg when the price reaches its trigger from where it stood), then
 * the emulator places a limit order at the leg's limit price in the ordinary order book and cancels
 * the other leg. A cover OCO's legs wait for its fresh order to fill. Leg statuses `Active` and
 * `Triggered`, and the `order_id` of a triggered leg, are the emulator's own (UNCONFIRMED): ICICI's
 * sample shows only `Cancelled`.
 *
 * @module
 */
import { type EmuInstrument, instrumentKey, type OrderBook } from './book.ts';

export type GttLegStatus = 'Active' | 'Triggered' | 'Cancelled';

export interface GttLeg {
  legType: 'target' | 'stoploss' | null;
  action: 'buy' | 'sell';
  triggerPaise: number;
  limitPaise: number;
  status: GttLegStatus;
  /** The order the trigger placed. */
  orderId?: string | undefined;
}

export interface GttOrder {
  gttOrderId: string;
  userId: string;
  instrument: EmuInstrument;
  quantity: number;
  gttType: 'single' | 'oco' | 'cover_oco';
  indexOrStock: string;
  legs: GttLeg[];
  /** A single leg: the price stood at or above its trigger when placed. */
  startedAbove?: boolean | undefined;
  freshOrderId?: string | undefined;
  createdAt: Date;
}

export class GttBook {
  readonly orders = new Map<string, GttOrder>();
  private sequence = 0;
  private readonly book: OrderBook;

  constructor(book: OrderBook) {
    this.book = book;
    book.listen((event) => {
      if (event.kind === 'quote') for (const gtt of [...this.orders.values()]) if (instrumentKey(gtt.instrument) === instrumentKey(event.instrument)) this.check(gtt);
      if (event.kind === 'order' && event.change === 'filled') for (const gtt of [...this.orders.values()]) if (gtt.freshOrderId === event.order.orderId) this.check(gtt);
    });
  }

  /** A new GTT id, 16 digits: `YYYYMMDD` and a sequence (docs/breeze-api.md#identifiers). */
  nextId(): string {
    const ymd = this.book.now().toISOString().slice(0, 10).replace(/-/g, '');
    return `${ymd}${String(++this.sequence).padStart(8, '0')}`;
  }

  now(): Date {
    return this.book.now();
  }

  /** A cover OCO's fresh entry order, placed with it as an ordinary limit order; returns its id. */
  placeFresh(gtt: GttOrder, action: 'buy' | 'sell', pricePaise: number): string {
    return this.placeLimit(gtt, action, pricePaise);
  }

  add(gtt: GttOrder): void {
    const quote = this.book.quoteOf(gtt.instrument);
    if (gtt.gttType === 'single' && quote) gtt.startedAbove = quote.ltpPaise >= gtt.legs[0]!.triggerPaise;
    this.orders.set(gtt.gttOrderId, gtt);
    this.check(gtt);
  }

  /** Whether any leg still waits for its trigger. */
  static active(gtt: GttOrder): boolean {
    return gtt.legs.some((l) => l.status === 'Active');
  }

  cancel(gtt: GttOrder): void {
    for (const leg of gtt.legs) if (leg.status === 'Active') leg.status = 'Cancelled';
  }

  ordersOf(userId: string): GttOrder[] {
    return [...this.orders.values()].filter((g) => g.userId === userId);
  }

  /** Trigger the first leg the last price touched: its order goes to the book, the other leg is cancelled. */
  check(gtt: GttOrder): void {
    if (!GttBook.active(gtt)) return;
    if (gtt.freshOrderId && this.book.orders.get(gtt.freshOrderId)?.status !== 'Executed') return;
    const quote = this.book.quoteOf(gtt.instrument);
    if (!quote) return;
    const leg = gtt.legs.find((l) => l.status === 'Active' && this.touched(gtt, l, quote.ltpPaise));
    if (!leg) return;
    for (const other of gtt.legs) if (other !== leg && other.status === 'Active') other.status = 'Cancelled';
    leg.status = 'Triggered';
    leg.orderId = this.placeLimit(gtt, leg.action, leg.limitPaise);
  }

  private placeLimit(gtt: GttOrder, action: 'buy' | 'sell', pricePaise: number): string {
    const orderId = this.book.nextOrderId(gtt.instrument);
    const order = { orderId, userId: gtt.userId, instrument: gtt.instrument, action, orderType: 'limit' as const, quantity: gtt.quantity, pricePaise, validity: 'day' as const, status: 'Ordered' as const, userRemark: '', createdAt: this.book.now(), modifications: 0, cancelledQuantity: 0, fills: [] };
    this.book.add(order);
    return orderId;
  }

  private touched(gtt: GttOrder, leg: GttLeg, ltp: number): boolean {
    if (leg.legType === null) return gtt.startedAbove === undefined ? ltp === leg.triggerPaise : gtt.startedAbove ? ltp <= leg.triggerPaise : ltp >= leg.triggerPaise;
    const rising = (leg.legType === 'target') === (leg.action === 'sell');
    return rising ? ltp >= leg.triggerPaise : ltp <= leg.triggerPaise;
  }
}
