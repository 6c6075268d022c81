/**
 * The Breeze Connect REST client: our {@link Broker} over ICICI Direct's API, plus the funds read
 * (for funds and margin checks) and the shared call budget.
 *
 * The order tag travels in `user_remark` and {@link BreezeClient.findOrderByTag} finds it again in
 * the order book, which is how a leg whose answer was lost is settled without sending it twice.
 * "Market" orders go out as protective limit orders priced off a fresh quote (market-orders.ts).
 *
 * @module
 */
import { BrokerOutcomeUnknownError, BrokerRejectedError, BrokerUnavailableError } from '../errors.ts';
import type { Broker, BrokerFill, BrokerOrder, BrokerOrderRequest, BrokerOrderType, BrokerPosition, OrderChange, PlaceOptions, Quote } from '../types.ts';
import type { Paise } from '../../domain/money.ts';
import { EXCHANGES, type Exchange, type Instrument } from '../../domain/trade.ts';
import { tagOfRemark } from '../../domain/strategy.ts';
import { fillFromRow, instrumentFields, modifyOrderBody, orderFromRow, placeOrderBody, positionFromRow, quoteFromRow } from './mapping.ts';
import { protectiveLimitPrice } from './market-orders.ts';
import { orderAck, orderRow, positionRow, quoteRow, rowsOf, tradeDetailRow, type OrderRow } from './rows.ts';
import type { SecurityMaster } from './security-master.ts';
import type { BreezeCall } from './transport.ts';
import { type BreezeFunds, fundsFrom } from './funds.ts';
import { BreezeGtt } from './gtt.ts';
import { marginBody, marginFrom } from './margin.ts';
import type { BrokerFundsSnapshot, FundsBroker } from '../funds.ts';
import type { MarginLeg } from '../../domain/margin.ts';
import type { RateBudget } from '../rate-limit/store.ts';
import { sessionDay } from './session.ts';
import { toBreezeDate } from './values.ts';

export interface BreezeClientOptions {
  call: BreezeCall;
  securityMaster: () => Promise<SecurityMaster>;
  now?: () => Date;
  /** What is left of the shared call budget (for metrics). */
  budget?: () => Promise<RateBudget>;
  /** Releases what the client holds (the rate-limit store's connection). */
  close?: () => Promise<void>;
}

/** Breeze answers an empty book with an error rather than an empty list (docs/breeze-api.md#orders). */
const NO_DATA = /no data found/i;

export class BreezeClient implements Broker, FundsBroker {
  readonly name = 'breeze' as const;
  protected readonly call: BreezeCall;
  protected readonly master: () => Promise<SecurityMaster>;
  protected readonly now: () => Date;
  private readonly closer: (() => Promise<void>) | undefined;
  private readonly budget: (() => Promise<RateBudget>) | undefined;
  /** Stop-loss and target held at ICICI as one GTT OCO order, for F&O (gtt.ts). */
  readonly oco: BreezeGtt;

  constructor(options: BreezeClientOptions) {
    this.call = options.call;
    this.master = options.securityMaster;
    this.now = options.now ?? (() => new Date());
    this.closer = options.close;
    this.budget = options.budget;
    this.oco = new BreezeGtt({ call: this.call, master: this.master, now: this.now, orderRows: (exchange) => this.orderRows(exchange) });
  }

  async placeOrder(request: BrokerOrderRequest, options: PlaceOptions = {}): Promise<BrokerOrder> {
    const stockCode = (await this.master()).toStockCode(request.instrument.symbol);
    const pricePaise = await this.limitPrice(request.instrument, stockCode, request.side, request.orderType, request.limitPricePaise);
    if (options.sendBy !== undefined && this.now().getTime() > options.sendBy) {
      throw new BrokerUnavailableError('POST order: not sent, too little time left in this attempt to send it and hear back', undefined, 1);
    }
    const payload = await this.call('POST', 'order', placeOrderBody(request, stockCode, pricePaise), 'write');
    const ack = orderAck.safeParse(payload);
    // the order was accepted, but we cannot name it: settle it by its tag
    const orderId = ack.success ? (ack.data.order_id ? String(ack.data.order_id) : idInMessage(ack.data.message)) : undefined;
    if (!orderId) throw new BrokerOutcomeUnknownError('POST order: accepted without an order id');
    return { brokerOrderId: orderId, tag: request.tag, instrument: request.instrument, side: request.side, quantity: request.quantity, status: 'OPEN', filledQuantity: 0, fills: [] };
  }

  async findOrderByTag(_accountId: string, tag: string, instrument: Instrument): Promise<BrokerOrder | undefined> {
    const row = (await this.orderRows(instrument.exchange)).find((r) => tagOfRemark(r.user_remark) === tag);
    return row ? this.withFills(row, instrument) : undefined;
  }

  async getOrder(_accountId: string, brokerOrderId: string, instrument: Instrument): Promise<BrokerOrder> {
    const rows = rowsOf(orderRow, await this.read('order', { exchange_code: instrument.exchange, order_id: brokerOrderId }));
    const row = rows[0];
    if (!row) throw new BrokerUnavailableError(`GET order: no row for ${brokerOrderId}`);
    return this.withFills(row, instrument);
  }

  async cancelOrder(accountId: string, brokerOrderId: string, instrument: Instrument): Promise<BrokerOrder> {
    try {
      await this.call('DELETE', 'order', { exchange_code: instrument.exchange, order_id: brokerOrderId }, 'write');
    } catch (err) {
      // refused because the order is already final (filled in the race, or gone): report that state
      if (!(err instanceof BrokerRejectedError)) throw err;
      const order = await this.getOrder(accountId, brokerOrderId, instrument);
      if (order.status === 'OPEN') throw err;
      return order;
    }
    // a "success" envelope is no proof the cancel took effect (I#138, I#238): read the order back
    return this.getOrder(accountId, brokerOrderId, instrument);
  }

  async modifyOrder(accountId: string, brokerOrderId: string, instrument: Instrument, change: OrderChange): Promise<BrokerOrder> {
    try {
      await this.call('PUT', 'order', modifyOrderBody(brokerOrderId, instrument, change), 'write');
    } catch (err) {
      // refused because the order is already final (filled in the race, or gone): report that state
      if (!(err instanceof BrokerRejectedError)) throw err;
      const order = await this.getOrder(accountId, brokerOrderId, instrument);
      if (order.status === 'OPEN') throw err;
      return order;
    }
    // a "success" envelope is no proof of a change (I#138, I#238): read the order back
    return this.getOrder(accountId, brokerOrderId, instrument);
  }

  /** Every order of today and yesterday on every exchange, without fills (use getOrder for those). */
  async listOrders(_accountId?: string): Promise<BrokerOrder[]> {
    const master = await this.master();
    const orders: BrokerOrder[] = [];
    for (const exchange of EXCHANGES) for (const row of await this.orderRows(exchange)) orders.push(orderFromRow(row, master));
    return orders;
  }

  async positions(_accountId?: string): Promise<BrokerPosition[]> {
    const master = await this.master();
    const rows = rowsOf(positionRow, await this.read('portfoliopositions', {}));
    return rows.map((r) => positionFromRow(r, master)).filter((p): p is BrokerPosition => p !== undefined);
  }

  async quote(instrument: Instrument): Promise<Quote> {
    const stockCode = (await this.master()).toStockCode(instrument.symbol);
    return this.quoteFor(instrument, stockCode);
  }

  /** Bank balance and segment allocations, in paise. */
  async funds(): Promise<BreezeFunds> {
    return fundsFrom(await this.call('GET', 'funds', {}, 'read'));
  }

  /** The funds per segment, for the INSUFFICIENT_FUNDS check (src/activities/funds.ts). */
  async readFunds(): Promise<BrokerFundsSnapshot> {
    const f = await this.funds();
    return { equityAllocatedPaise: f.allocatedEquityPaise, equityBlockedPaise: f.blockedEquityPaise, fnoAllocatedPaise: f.allocatedFnoPaise, fnoBlockedPaise: f.blockedFnoPaise, fetchedAt: this.now() };
  }

  /** Breeze's margin calculator for F&O legs of one exchange (docs/breeze-api.md#funds-and-margin). */
  async marginFor(legs: readonly MarginLeg[], exchange: Exchange): Promise<Paise> {
    const master = await this.master();
    const codes = legs.map((l) => master.toStockCode(l.instrument.symbol));
    return marginFrom(await this.call('POST', 'margincalculator', marginBody(legs, exchange, codes), 'read'));
  }

  async stockCodeOf(symbol: string): Promise<string> {
    return (await this.master()).toStockCode(symbol);
  }

  /** What is left of the shared budget: order actions this second, calls this minute and today. */
  async remainingBudget(): Promise<RateBudget | undefined> {
    return this.budget?.();
  }

  async close(): Promise<void> {
    await this.closer?.();
  }

  /** A read that treats Breeze's "No data found" as an empty answer. */
  protected async read(endpoint: string, body: Record<string, unknown>): Promise<unknown> {
    try {
      return await this.call('GET', endpoint, body, 'read');
    } catch (err) {
      if (err instanceof BrokerRejectedError && NO_DATA.test(err.message)) return [];
      throw err;
    }
  }

  /**
   * The price to send: the caller's limit, or a protective limit off a fresh quote for MARKET. A
   * MARKET order that carries a limit (the price its margin was reserved at) never goes out past it.
   */
  private async limitPrice(instrument: Instrument, stockCode: string, side: 'BUY' | 'SELL', orderType: BrokerOrderType, limitPricePaise: Paise | undefined): Promise<Paise> {
    if (orderType !== 'MARKET') {
      if (!limitPricePaise || limitPricePaise <= 0) throw new BrokerRejectedError(`a ${orderType} order needs a positive limit price`);
      return limitPricePaise;
    }
    const quote = await this.quoteFor(instrument, stockCode);
    const protective = protectiveLimitPrice({
      side,
      exchange: instrument.exchange,
      product: instrument.product,
      stockCode,
      lastPricePaise: quote.lastPricePaise,
      upperCircuitPaise: quote.upperCircuitPaise,
      lowerCircuitPaise: quote.lowerCircuitPaise,
    });
    if (!limitPricePaise || limitPricePaise <= 0) return protective;
    return side === 'BUY' ? Math.min(protective, limitPricePaise) : Math.max(protective, limitPricePaise);
  }

  private async quoteFor(instrument: Instrument, stockCode: string): Promise<Quote> {
    const { product, ...fields } = instrumentFields(instrument, stockCode);
    const rows = rowsOf(quoteRow, await this.read('quotes', { ...fields, product_type: product }));
    // equity answers hold one row per exchange, NSE first (the SDK takes data[1] for BSE, docs/breeze-api.md#account-reads)
    const row = rows.find((r) => r.exchange_code?.toUpperCase() === instrument.exchange) ?? (instrument.exchange === 'BSE' ? rows[1] : undefined) ?? rows[0];
    const quote = row && quoteFromRow(row, this.now());
    if (!quote) throw new BrokerUnavailableError(`GET quotes: no last price for ${instrument.symbol}`);
    return quote;
  }

  /** The order book of one exchange, yesterday and today (IST): where a tag is looked up. */
  private async orderRows(exchange: Exchange): Promise<OrderRow[]> {
    const today = sessionDay(this.now());
    const yesterday = sessionDay(new Date(this.now().getTime() - 86_400_000));
    return rowsOf(orderRow, await this.read('order', { exchange_code: exchange, from_date: toBreezeDate(yesterday), to_date: toBreezeDate(today) }));
  }

  /** The order with its executions (trade detail) once anything has filled. */
  private async withFills(row: OrderRow, instrument: Instrument): Promise<BrokerOrder> {
    const master = await this.master();
    const order = orderFromRow(row, master, instrument);
    if (order.filledQuantity === 0) return order;
    const trades = rowsOf(tradeDetailRow, await this.read('trades', { exchange_code: instrument.exchange, order_id: row.order_id }));
    const fills = trades.map((t, i) => fillFromRow(t, row.order_id, i)).filter((f): f is BrokerFill => f !== undefined);
    return { ...order, fills };
  }
}

/** An order id inside an acknowledgement message ("… through RI reference no 20250205N300001234"). */
export function idInMessage(message: string | null | undefined): string | undefined {
  return /\b(\d{8}[A-Z]\d{9}|\d{18})\b/.exec(message ?? '')?.[1];
}
