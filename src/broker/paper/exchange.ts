/**
 * The paper exchange: the default broker. Orders, fills and prices live in PostgreSQL, so it
 * survives restarts and every worker sees the same market. It trades only in market hours (the
 * same calendar as the risk engine), fills MARKET orders at the last price with slippage and
 * LIMIT orders when the price crosses, STOP orders (stop-loss market, paper only: the trade
 * workflows watch their stop-losses themselves) once the price touches their trigger, and keeps
 * every order it receives with its tag. Orders are DAY orders, as on the exchange: with NSE
 * hours, one still resting when its session closes (15:30 IST) is cancelled as expired, and never
 * fills at a later day's prices.
 *
 * @module
 */
import { holidaysOf } from '../../db/market-holidays.ts';
import type { Queryable, Sql, TxSql } from '../../db/pool.ts';
import { type MarketHoursMode, marketStatus, NORMAL_SESSION } from '../../domain/market-calendar.ts';
import type { Paise } from '../../domain/money.ts';
import { type Instrument, instrumentKey } from '../../domain/trade.ts';
import { NotFoundError } from '../../domain/errors.ts';
import { BrokerRejectedError } from '../errors.ts';
import type { Broker, BrokerOrder, BrokerOrderRequest, BrokerPosition, Quote } from '../types.ts';
import { fillPrice, type PaperOrderType } from './matching.ts';
import { initialPrice, roundToTick, walk } from './prices.ts';

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

interface OrderRow {
  id: string;
  tag: string;
  instrument: Instrument;
  side: 'BUY' | 'SELL';
  quantity: number;
  order_type: PaperOrderType;
  limit_price_paise: number | null;
  trigger_price_paise: number | null;
  status: BrokerOrder['status'];
  filled_quantity: number;
  average_price_paise: number | null;
  reject_reason: string | null;
}

interface QuoteRow {
  last_price_paise: number;
  pinned: boolean;
  steps: number;
  updated_at: Date;
}

/** Longest stretch the walk catches up in one read (an hour of one-second steps). */
const MAX_CATCH_UP_STEPS = 3600;

/** A stop-loss market order (SL-M): rests until the last price touches `triggerPricePaise`. */
export interface PaperStopRequest extends Omit<BrokerOrderRequest, 'orderType' | 'limitPricePaise'> {
  orderType: 'STOP';
  triggerPricePaise: Paise;
}

export class PaperExchange implements Broker {
  readonly name = 'paper' as const;
  private readonly options: PaperExchangeOptions;
  private readonly stepMs: number;
  private readonly now: () => Date;

  constructor(options: PaperExchangeOptions) {
    this.options = options;
    this.stepMs = options.stepMs ?? 1000;
    this.now = options.now ?? (() => new Date());
  }

  /** A broker order, or a paper-only STOP order (stop-loss market) with its trigger price. */
  async placeOrder(request: BrokerOrderRequest | PaperStopRequest): Promise<BrokerOrder> {
    const key = instrumentKey(request.instrument);
    const limitPricePaise = request.orderType === 'LIMIT' ? request.limitPricePaise : undefined;
    const triggerPricePaise = request.orderType === 'STOP' ? request.triggerPricePaise : undefined;
    const order = await this.options.sql.begin(async (tx) => {
      const lastPrice = await this.advance(tx, request.instrument);
      const market = marketStatus(this.now(), this.options.marketHours, await holidaysOf(tx, request.instrument.exchange));
      const [next] = await tx<{ n: number }[]>`select nextval('paper_order_numbers') as n`;
      const id = `P${String(next!.n).padStart(12, '0')}`;
      const rejectReason = !market.open
        ? `market closed (${market.reason})`
        : request.orderType === 'LIMIT' && !limitPricePaise
          ? 'limit price missing'
          : request.orderType === 'STOP' && !(triggerPricePaise && triggerPricePaise > 0)
            ? 'trigger price missing'
            : null;
      await tx`
        insert into paper_orders (id, account_id, tag, instrument_key, instrument, side, quantity, order_type, limit_price_paise, trigger_price_paise, strategy_id, status, reject_reason, received_at)
        values (${id}, ${request.accountId}, ${request.tag}, ${key}, ${tx.json(request.instrument as never)}, ${request.side}, ${request.quantity},
                ${request.orderType}, ${limitPricePaise ?? null}, ${rejectReason ? null : (triggerPricePaise ?? null)}, ${request.strategyId ?? null}, ${rejectReason ? 'REJECTED' : 'OPEN'}, ${rejectReason}, ${this.now()})`;
      if (!rejectReason) await this.matchOne(tx, id, lastPrice);
      return this.load(tx, request.accountId, id);
    });
    if (order.status === 'REJECTED') throw new BrokerRejectedError(order.rejectReason ?? 'rejected');
    return order;
  }

  async findOrderByTag(accountId: string, tag: string): Promise<BrokerOrder | undefined> {
    const [row] = await this.options.sql<{ id: string }[]>`
      select id from paper_orders where account_id = ${accountId} and tag = ${tag} order by received_at limit 1`;
    return row ? this.getOrder(accountId, row.id) : undefined;
  }

  async getOrder(accountId: string, brokerOrderId: string): Promise<BrokerOrder> {
    return this.options.sql.begin(async (tx) => {
      const [row] = await tx<{ instrument: Instrument }[]>`select instrument from paper_orders where id = ${brokerOrderId} and account_id = ${accountId}`;
      if (!row) throw new NotFoundError(`paper order ${brokerOrderId}`);
      await this.advance(tx, row.instrument); // price moves may fill it, or its session may have closed
      return this.load(tx, accountId, brokerOrderId);
    });
  }

  async cancelOrder(accountId: string, brokerOrderId: string): Promise<BrokerOrder> {
    return this.options.sql.begin(async (tx) => {
      await tx`
        update paper_orders set status = 'CANCELLED', updated_at = now()
        where id = ${brokerOrderId} and account_id = ${accountId} and status = 'OPEN'`;
      return this.load(tx, accountId, brokerOrderId);
    });
  }

  async listOrders(accountId: string): Promise<BrokerOrder[]> {
    await this.expireDayOrders(this.options.sql, { accountId });
    const rows = await this.options.sql<{ id: string }[]>`select id from paper_orders where account_id = ${accountId} order by received_at`;
    return Promise.all(rows.map((r) => this.load(this.options.sql, accountId, r.id)));
  }

  async positions(accountId: string): Promise<BrokerPosition[]> {
    const rows = await this.options.sql<{ instrument: Instrument; quantity: number; cost: number }[]>`
      select o.instrument,
             sum(case when o.side = 'BUY' then f.quantity else -f.quantity end)::int8 as quantity,
             sum(case when o.side = 'BUY' then f.quantity * f.price_paise else 0 end)::int8 as cost
      from paper_fills f join paper_orders o on o.id = f.order_id
      where o.account_id = ${accountId}
      group by o.instrument_key, o.instrument
      having sum(case when o.side = 'BUY' then f.quantity else -f.quantity end) <> 0`;
    return rows.map((r) => ({ instrument: r.instrument, quantity: r.quantity, averagePricePaise: r.quantity > 0 ? Math.round(r.cost / r.quantity) : 0 }));
  }

  async quote(instrument: Instrument): Promise<Quote> {
    return this.options.sql.begin(async (tx) => {
      const pricePaise = await this.advance(tx, instrument);
      return { lastPricePaise: pricePaise, at: this.now().toISOString() };
    });
  }

  /** Set the last price (POST /paper/quotes) and pin it; resting orders that now cross are filled. */
  async setQuote(instrument: Instrument, pricePaise: Paise): Promise<Quote> {
    const key = instrumentKey(instrument);
    const price = roundToTick(pricePaise);
    return this.options.sql.begin(async (tx) => {
      await tx`
        insert into paper_quotes (instrument_key, exchange, symbol, last_price_paise, pinned, updated_at)
        values (${key}, ${instrument.exchange}, ${instrument.symbol}, ${price}, true, ${this.now()})
        on conflict (instrument_key) do update set last_price_paise = excluded.last_price_paise, pinned = true, updated_at = excluded.updated_at`;
      await this.expireDayOrders(tx, { instrumentKey: key });
      await this.matchResting(tx, key, price);
      return { lastPricePaise: price, at: this.now().toISOString() };
    });
  }

  /** The instrument's price now: created on first use, moved by the random walk unless pinned. */
  private async advance(tx: TxSql, instrument: Instrument): Promise<Paise> {
    const key = instrumentKey(instrument);
    const { seed } = this.options;
    let [row] = await tx<QuoteRow[]>`select last_price_paise, pinned, steps, updated_at from paper_quotes where instrument_key = ${key} for update`;
    if (!row) {
      await tx`
        insert into paper_quotes (instrument_key, exchange, symbol, last_price_paise, pinned, updated_at)
        values (${key}, ${instrument.exchange}, ${instrument.symbol}, ${initialPrice(seed, key)}, false, ${this.now()})
        on conflict (instrument_key) do nothing`;
      [row] = await tx<QuoteRow[]>`select last_price_paise, pinned, steps, updated_at from paper_quotes where instrument_key = ${key} for update`;
      if (!row) throw new Error(`paper quote for ${key} vanished`);
    }
    await this.expireDayOrders(tx, { instrumentKey: key });
    if (row.pinned || !this.options.randomWalk) return row.last_price_paise;
    const due = Math.floor((this.now().getTime() - row.updated_at.getTime()) / this.stepMs);
    if (due <= 0) return row.last_price_paise;
    const steps = Math.min(due, MAX_CATCH_UP_STEPS);
    const price = walk(seed, key, row.last_price_paise, row.steps, steps);
    await tx`
      update paper_quotes set last_price_paise = ${price}, steps = steps + ${steps},
        updated_at = updated_at + ${due * this.stepMs} * interval '1 millisecond'
      where instrument_key = ${key}`;
    if (price !== row.last_price_paise) await this.matchResting(tx, key, price);
    return price;
  }

  private async matchResting(tx: TxSql, key: string, lastPricePaise: Paise): Promise<void> {
    const resting = await tx<{ id: string }[]>`select id from paper_orders where instrument_key = ${key} and status = 'OPEN' order by received_at for update`;
    for (const order of resting) await this.matchOne(tx, order.id, lastPricePaise);
  }

  /** Cancel, as expired, the resting orders (among `which`) whose day's session has closed. */
  private async expireDayOrders(sql: Queryable, which: { instrumentKey: string } | { accountId: string }): Promise<void> {
    if (this.options.marketHours !== 'nse') return;
    const now = this.now();
    await sql`
      update paper_orders set status = 'CANCELLED', reject_reason = ${`expired: a DAY order ends with its session (${NORMAL_SESSION.closes} IST)`}, updated_at = ${now}
      where status = 'OPEN' and ${'instrumentKey' in which ? sql`instrument_key = ${which.instrumentKey}` : sql`account_id = ${which.accountId}`}
        and (((received_at at time zone 'Asia/Kolkata')::date + ${NORMAL_SESSION.closes}::time) at time zone 'Asia/Kolkata') <= ${now}`;
  }

  private async matchOne(tx: TxSql, id: string, lastPricePaise: Paise): Promise<void> {
    const [o] = await tx<OrderRow[]>`select * from paper_orders where id = ${id}`;
    if (!o || o.status !== 'OPEN') return;
    const level = o.order_type === 'STOP' ? o.trigger_price_paise : o.limit_price_paise;
    const price = fillPrice(o.side, o.order_type, level ?? undefined, lastPricePaise, this.options.slippageBps);
    if (price === undefined) return;
    await tx`insert into paper_fills (order_id, quantity, price_paise, filled_at) values (${id}, ${o.quantity}, ${price}, ${this.now()})`;
    await tx`
      update paper_orders set status = 'FILLED', filled_quantity = quantity, average_price_paise = ${price}, updated_at = ${this.now()}
      where id = ${id}`;
  }

  private async load(sql: Queryable, accountId: string, id: string): Promise<BrokerOrder> {
    const [o] = await sql<OrderRow[]>`select * from paper_orders where id = ${id} and account_id = ${accountId}`;
    if (!o) throw new NotFoundError(`paper order ${id}`);
    const fills = await sql<{ id: number; quantity: number; price_paise: number; filled_at: Date }[]>`
      select id, quantity, price_paise, filled_at from paper_fills where order_id = ${id} order by id`;
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

export interface ReceivedOrder {
  id: string;
  accountId: string;
  tag: string;
  instrument: Instrument;
  side: 'BUY' | 'SELL';
  quantity: number;
  orderType: PaperOrderType;
  limitPricePaise: number | null;
  triggerPricePaise: number | null;
  strategyId: string | null;
  status: BrokerOrder['status'];
  filledQuantity: number;
  averagePricePaise: number | null;
  rejectReason: string | null;
  receivedAt: Date;
}

/** Every order the paper exchange received (GET /paper/orders; tests count legs by tag). */
export async function receivedOrders(sql: Queryable, filter: { accountId?: string | undefined; tag?: string | undefined; limit?: number }): Promise<ReceivedOrder[]> {
  return sql<ReceivedOrder[]>`
    select id, account_id as "accountId", tag, instrument, side, quantity, order_type as "orderType",
      limit_price_paise as "limitPricePaise", trigger_price_paise as "triggerPricePaise", strategy_id as "strategyId", status, filled_quantity as "filledQuantity",
      average_price_paise as "averagePricePaise", reject_reason as "rejectReason", received_at as "receivedAt"
    from paper_orders
    where true ${filter.accountId ? sql`and account_id = ${filter.accountId}` : sql``} ${filter.tag ? sql`and tag = ${filter.tag}` : sql``}
    order by received_at desc limit ${filter.limit ?? 500}`;
}
