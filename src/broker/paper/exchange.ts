/**
 * The paper exchange: the default broker. Orders, fills and prices live in PostgreSQL (the
 * queries are src/db/paper-*.ts), so it survives restarts and every worker sees the same market.
 * It trades only in market hours (the same calendar as the risk engine), fills MARKET orders at
 * the last price with slippage (never past the protective limit a MARKET order carries) and LIMIT orders when the price crosses, STOP orders (stop-loss
 * market, paper only) once the price touches their trigger, STOP_LIMIT orders (as Breeze's
 * `stoploss`, the trades' resting stop-losses) that wake at their trigger and then work as a
 * limit (a gap through the limit leaves them open until modified), and keeps every order it
 * receives with its tag. Orders are DAY orders, as on the exchange: with NSE hours, one still
 * resting when its session closes (15:30 IST) is cancelled as expired, and never fills at a later
 * day's prices (see ./order-book.ts).
 *
 * @module
 */
import { instrumentRules } from '../../db/instrument-rules.ts';
import { exchangeCalendarOf } from '../../db/market-calendars.ts';
import { paperFillsOf, paperPositions } from '../../db/paper-fills.ts';
import { cancelPaperOrder, insertPaperOrder, modifyPaperOrder, nextPaperOrderId, paperOrder, paperOrderIdByTag, paperOrderIds, paperOrderInstrument } from '../../db/paper-orders.ts';
import { insertPaperQuote, lockPaperQuote, paperQuotesOf, walkPaperQuote } from '../../db/paper-quotes.ts';
import type { Queryable, Sql, TxSql } from '../../db/pool.ts';
import { type MarketHoursMode, marketStatus } from '../../domain/market-calendar.ts';
import type { Paise } from '../../domain/money.ts';
import { type Instrument, instrumentKey } from '../../domain/trade.ts';
import { NotFoundError } from '../../domain/errors.ts';
import { BrokerRejectedError, BrokerUnavailableError } from '../errors.ts';
import type { Broker, BrokerOrder, BrokerOrderRequest, BrokerPosition, OrderChange, PlaceOptions, Quote } from '../types.ts';
import { type BookRules, expireDayOrders, matchAndAnnounce, matchOne, pinQuote } from './order-book.ts';
import { initialPrice, walk } from './prices.ts';

export interface PaperExchangeOptions {
  sql: Sql;
  marketHours: MarketHoursMode;
  slippageBps: number;
  randomWalk: boolean;
  seed: number;
  /** One random-walk step per this many milliseconds. */
  stepMs?: number;
  /** Clock, for tests. */
  now?: () => Date;
}

/** Longest stretch the walk catches up in one read (an hour of one-second steps). */
const MAX_CATCH_UP_STEPS = 3600;

/** A stop-loss market order (SL-M): rests until the last price touches `triggerPricePaise`. */
export interface PaperStopRequest extends Omit<BrokerOrderRequest, 'orderType' | 'limitPricePaise'> {
  orderType: 'STOP';
  triggerPricePaise: Paise;
}

/** A stop-limit whose limit is on the wrong side of its trigger (a sell's limit above it) could fill before it is touched. */
function stopLimitInverted(side: 'BUY' | 'SELL', triggerPaise: Paise | undefined, limitPaise: Paise | undefined): boolean {
  if (triggerPaise === undefined || limitPaise === undefined) return false;
  return side === 'SELL' ? limitPaise > triggerPaise : limitPaise < triggerPaise;
}

/**
 * What the exchange refuses in the size of an F&O order, from `instrument_rules`: a quantity that
 * is not whole lots, or above the freeze quantity (docs/indian-market.md#freeze-quantities).
 */
async function fnoSizeProblem(tx: Queryable, instrument: Instrument, quantity: number): Promise<string | undefined> {
  if (instrument.product !== 'FUTURES' && instrument.product !== 'OPTIONS') return undefined;
  const { lotSize, freezeQuantity } = await instrumentRules(tx, instrument.exchange, instrument.symbol, 1);
  if (lotSize && quantity % lotSize !== 0) return `quantity is not a whole number of lots of ${lotSize}`;
  if (freezeQuantity && quantity > freezeQuantity) return `quantity above the exchange's freeze quantity of ${freezeQuantity}`;
  return undefined;
}

export class PaperExchange implements Broker {
  readonly name = 'paper' as const;
  private readonly options: PaperExchangeOptions;
  private readonly stepMs: number;
  private readonly now: () => Date;
  private readonly rules: BookRules;

  constructor(options: PaperExchangeOptions) {
    this.options = options;
    this.stepMs = options.stepMs ?? 1000;
    this.now = options.now ?? (() => new Date());
    this.rules = { marketHours: options.marketHours, slippageBps: options.slippageBps, now: this.now };
  }

  /** A broker order, or a paper-only STOP order (stop-loss market) with its trigger price. */
  async placeOrder(request: BrokerOrderRequest | PaperStopRequest, options: PlaceOptions = {}): Promise<BrokerOrder> {
    // `sendBy` is on the wall clock of the caller's attempt, not the market clock `now` a test may set
    if (options.sendBy !== undefined && Date.now() > options.sendBy) {
      throw new BrokerUnavailableError('order not sent, too little time left in this attempt to send it and hear back');
    }
    const key = instrumentKey(request.instrument);
    // a MARKET order's limit is its protection: the worst price it may fill at (./matching.ts)
    const limitPricePaise = request.orderType !== 'STOP' ? request.limitPricePaise : undefined;
    const triggerPricePaise = request.orderType === 'STOP' || request.orderType === 'STOP_LIMIT' ? request.triggerPricePaise : undefined;
    const order = await this.options.sql.begin(async (tx) => {
      const lastPrice = await this.advance(tx, request.instrument);
      const calendar = await exchangeCalendarOf(tx, request.instrument.exchange);
      const market = marketStatus(this.now(), this.options.marketHours, calendar.holidays, calendar.sessions);
      const id = await nextPaperOrderId(tx);
      const sizeProblem = await fnoSizeProblem(tx, request.instrument, request.quantity);
      const rejectReason = !market.open
        ? `market closed (${market.reason})`
        : sizeProblem
          ? sizeProblem
          : (request.orderType === 'LIMIT' || request.orderType === 'STOP_LIMIT') && !limitPricePaise
            ? 'limit price missing'
            : request.orderType !== 'LIMIT' && request.orderType !== 'MARKET' && !(triggerPricePaise && triggerPricePaise > 0)
              ? 'trigger price missing'
              : request.orderType === 'STOP_LIMIT' && stopLimitInverted(request.side, triggerPricePaise, limitPricePaise)
                ? 'a stop-limit sell needs its limit at or below its trigger (a buy at or above)'
                : null;
      await insertPaperOrder(tx, {
        id,
        accountId: request.accountId,
        tag: request.tag,
        instrumentKey: key,
        instrument: request.instrument,
        side: request.side,
        quantity: request.quantity,
        orderType: request.orderType,
        limitPricePaise: limitPricePaise ?? null,
        triggerPricePaise: rejectReason ? null : (triggerPricePaise ?? null),
        strategyId: request.strategyId ?? null,
        status: rejectReason ? 'REJECTED' : 'OPEN',
        rejectReason,
        receivedAt: this.now(),
      });
      if (!rejectReason) await matchOne(tx, this.rules, id, lastPrice);
      return this.load(tx, request.accountId, id);
    });
    if (order.status === 'REJECTED') throw new BrokerRejectedError(order.rejectReason ?? 'rejected');
    return order;
  }

  async findOrderByTag(accountId: string, tag: string): Promise<BrokerOrder | undefined> {
    const id = await paperOrderIdByTag(this.options.sql, accountId, tag);
    return id ? this.getOrder(accountId, id) : undefined;
  }

  async getOrder(accountId: string, brokerOrderId: string): Promise<BrokerOrder> {
    return this.options.sql.begin(async (tx) => {
      const instrument = await paperOrderInstrument(tx, accountId, brokerOrderId);
      if (!instrument) throw new NotFoundError(`paper order ${brokerOrderId}`);
      await this.advance(tx, instrument); // price moves may fill it, or its session may have closed
      return this.load(tx, accountId, brokerOrderId);
    });
  }

  async cancelOrder(accountId: string, brokerOrderId: string): Promise<BrokerOrder> {
    return this.options.sql.begin(async (tx) => {
      await cancelPaperOrder(tx, accountId, brokerOrderId);
      return this.load(tx, accountId, brokerOrderId);
    });
  }

  async modifyOrder(accountId: string, brokerOrderId: string, _instrument: Instrument, change: OrderChange): Promise<BrokerOrder> {
    return this.options.sql.begin(async (tx) => {
      const instrument = await paperOrderInstrument(tx, accountId, brokerOrderId);
      if (!instrument) throw new NotFoundError(`paper order ${brokerOrderId}`);
      const lastPrice = await this.advance(tx, instrument); // it may have filled meanwhile
      const current = await paperOrder(tx, brokerOrderId, accountId);
      if (current?.status === 'OPEN' && change.orderType === 'STOP_LIMIT' && !current.triggered_at && stopLimitInverted(current.side, change.triggerPricePaise, change.limitPricePaise)) {
        throw new BrokerRejectedError('a stop-limit sell needs its limit at or below its trigger (a buy at or above)');
      }
      const triggerPricePaise = change.orderType === 'STOP_LIMIT' ? (change.triggerPricePaise ?? current?.trigger_price_paise ?? null) : null;
      const changed = await modifyPaperOrder(tx, accountId, brokerOrderId, { ...change, triggerPricePaise }, this.now());
      if (changed) await matchOne(tx, this.rules, brokerOrderId, lastPrice);
      return this.load(tx, accountId, brokerOrderId);
    });
  }

  async listOrders(accountId: string): Promise<BrokerOrder[]> {
    await expireDayOrders(this.options.sql, this.rules, { accountId });
    const ids = await paperOrderIds(this.options.sql, accountId);
    return Promise.all(ids.map((id) => this.load(this.options.sql, accountId, id)));
  }

  async positions(accountId: string): Promise<BrokerPosition[]> {
    const rows = await paperPositions(this.options.sql, accountId);
    return rows.map((r) => ({ instrument: r.instrument, quantity: r.quantity, averagePricePaise: r.quantity > 0 ? Math.round(r.cost / r.quantity) : 0 }));
  }

  async quote(instrument: Instrument): Promise<Quote> {
    // Pinned, or no step of the walk due: the price as it stands, from one read without a lock, so
    // quotes of one symbol do not queue behind each other and behind its orders in flight.
    const unmoved = (await this.unmovedQuotes([instrument])).get(instrumentKey(instrument));
    if (unmoved) return unmoved;
    return this.options.sql.begin(async (tx) => {
      const pricePaise = await this.advance(tx, instrument);
      return { lastPricePaise: pricePaise, at: this.now().toISOString() };
    });
  }

  /**
   * The prices of those of `instruments` that the walk does not move now (pinned, no walk, or no
   * step due yet), from one read, with one expiry of their DAY orders: what `quote` would answer
   * for them. The others are absent: quote them one by one. The feed's once-a-second round of
   * every watched instrument (./feed.ts) is then one statement for the pinned ones, not a
   * transaction each.
   */
  async unmovedQuotes(instruments: Instrument[]): Promise<Map<string, Quote>> {
    const rows = await paperQuotesOf(this.options.sql, instruments.map(instrumentKey));
    const now = this.now();
    const quotes = new Map<string, Quote>();
    for (const [key, row] of rows) {
      const moves = !row.pinned && this.options.randomWalk && now.getTime() - row.updated_at.getTime() >= this.stepMs;
      if (!moves) quotes.set(key, { lastPricePaise: row.last_price_paise, at: now.toISOString() });
    }
    await expireDayOrders(this.options.sql, this.rules, { instrumentKeys: [...quotes.keys()] });
    return quotes;
  }

  /** Set the last price and pin it, as POST /paper/quotes does (through the desk); resting orders that now cross are filled. */
  setQuote(instrument: Instrument, pricePaise: Paise): Promise<Quote> {
    return pinQuote(this.options.sql, this.rules, instrument, pricePaise);
  }

  /** The instrument's price now: created on first use, moved by the random walk unless pinned. */
  private async advance(tx: TxSql, instrument: Instrument): Promise<Paise> {
    const key = instrumentKey(instrument);
    const { seed } = this.options;
    let row = await lockPaperQuote(tx, key);
    if (!row) {
      await insertPaperQuote(tx, key, instrument, initialPrice(seed, key), this.now());
      row = await lockPaperQuote(tx, key);
      if (!row) throw new Error(`paper quote for ${key} vanished`);
    }
    await expireDayOrders(tx, this.rules, { instrumentKey: key });
    if (row.pinned || !this.options.randomWalk) return row.last_price_paise;
    const due = Math.floor((this.now().getTime() - row.updated_at.getTime()) / this.stepMs);
    if (due <= 0) return row.last_price_paise;
    const steps = Math.min(due, MAX_CATCH_UP_STEPS);
    const price = walk(seed, key, row.last_price_paise, row.steps, steps);
    await walkPaperQuote(tx, key, price, steps, due * this.stepMs);
    if (price !== row.last_price_paise) await matchAndAnnounce(tx, this.rules, instrument, price);
    return price;
  }

  private async load(sql: Queryable, accountId: string, id: string): Promise<BrokerOrder> {
    const o = await paperOrder(sql, id, accountId);
    if (!o) throw new NotFoundError(`paper order ${id}`);
    const fills = await paperFillsOf(sql, id);
    return {
      brokerOrderId: o.id,
      tag: o.tag,
      instrument: o.instrument,
      side: o.side,
      quantity: o.quantity,
      status: o.status,
      filledQuantity: o.filled_quantity,
      averagePricePaise: o.average_price_paise ?? undefined,
      rejectReason: o.reject_reason ?? undefined,
      fills: fills.map((f) => ({ fillId: String(f.id), quantity: f.quantity, pricePaise: f.price_paise, at: f.filled_at.toISOString() })),
    };
  }
}
