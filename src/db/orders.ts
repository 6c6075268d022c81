/**
 * Queries of the `orders` (broker legs) and `fills` tables.
 *
 * @module
 */
import type { ChargeBreakdown } from '../domain/charges.ts';
import type { Paise } from '../domain/money.ts';
import type { Queryable } from './pool.ts';

export type LegStatus = 'NEW' | 'UNKNOWN' | 'OPEN' | 'FILLED' | 'CANCELLED' | 'REJECTED' | 'NOT_SENT';

export interface OrderRow {
  tag: string;
  tradeId: string;
  accountId: string;
  leg: 'ENTRY' | 'EXIT';
  side: 'BUY' | 'SELL';
  quantity: number;
  orderType: 'MARKET' | 'LIMIT' | 'STOP_LIMIT';
  limitPricePaise: Paise | null;
  status: LegStatus;
  brokerOrderId: string | null;
  filledQuantity: number;
  averagePricePaise: Paise | null;
  rejectReason: string | null;
  createdAt: Date;
  updatedAt: Date;
}

const selectOrder = (sql: Queryable) => sql`
  select tag, trade_id as "tradeId", account_id as "accountId", leg, side, quantity, order_type as "orderType",
    limit_price_paise as "limitPricePaise", status, broker_order_id as "brokerOrderId", filled_quantity as "filledQuantity",
    average_price_paise as "averagePricePaise", reject_reason as "rejectReason", created_at as "createdAt", updated_at as "updatedAt"
  from orders`;

export async function getOrder(sql: Queryable, tag: string): Promise<OrderRow | undefined> {
  const [row] = await sql<OrderRow[]>`${selectOrder(sql)} where tag = ${tag}`;
  return row;
}

export async function lockOrder(sql: Queryable, tag: string): Promise<OrderRow | undefined> {
  const [row] = await sql<OrderRow[]>`${selectOrder(sql)} where tag = ${tag} for update`;
  return row;
}

export async function ordersOfTrade(sql: Queryable, tradeId: string): Promise<OrderRow[]> {
  return sql<OrderRow[]>`${selectOrder(sql)} where trade_id = ${tradeId} order by created_at`;
}

export interface NewOrder {
  tag: string;
  tradeId: string;
  accountId: string;
  leg: 'ENTRY' | 'EXIT';
  side: 'BUY' | 'SELL';
  quantity: number;
  orderType: 'MARKET' | 'LIMIT' | 'STOP_LIMIT';
  limitPricePaise?: Paise | undefined;
}

/** Record the leg before it is sent (status NEW); a no-op when it exists. */
export async function insertOrder(sql: Queryable, o: NewOrder): Promise<void> {
  await sql`
    insert into orders (tag, trade_id, account_id, leg, side, quantity, order_type, limit_price_paise, status)
    values (${o.tag}, ${o.tradeId}, ${o.accountId}, ${o.leg}, ${o.side}, ${o.quantity}, ${o.orderType}, ${o.limitPricePaise ?? null}, 'NEW')
    on conflict (tag) do nothing`;
}

export async function updateOrder(
  sql: Queryable,
  tag: string,
  fields: { status: LegStatus; brokerOrderId?: string | null; filledQuantity?: number; averagePricePaise?: Paise | null; rejectReason?: string | null },
): Promise<void> {
  await sql`
    update orders set status = ${fields.status},
      broker_order_id = coalesce(${fields.brokerOrderId ?? null}, broker_order_id),
      filled_quantity = coalesce(${fields.filledQuantity ?? null}, filled_quantity),
      average_price_paise = coalesce(${fields.averagePricePaise ?? null}, average_price_paise),
      reject_reason = coalesce(${fields.rejectReason ?? null}, reject_reason),
      updated_at = now()
    where tag = ${tag}`;
}

export interface FillInput {
  orderTag: string;
  tradeId: string;
  accountId: string;
  brokerFillId: string;
  quantity: number;
  pricePaise: Paise;
  chargesPaise: Paise;
  filledAt: string;
  /** The charges by kind (their total is chargesPaise). */
  chargeKinds?: ChargeKinds;
}

export type ChargeKinds = Omit<ChargeBreakdown, 'total'>;

/** Record a fill once: the broker's fill id makes a repeated call harmless. */
export async function insertFill(sql: Queryable, f: FillInput): Promise<boolean> {
  const k = f.chargeKinds ?? { brokerage: 0, stt: 0, exchange: 0, sebi: 0, stamp: 0, gst: 0 };
  const rows = await sql`
    insert into fills (order_tag, trade_id, account_id, broker_fill_id, quantity, price_paise, charges_paise, filled_at,
      brokerage_paise, stt_paise, exchange_paise, sebi_paise, stamp_paise, gst_paise)
    values (${f.orderTag}, ${f.tradeId}, ${f.accountId}, ${f.brokerFillId}, ${f.quantity}, ${f.pricePaise}, ${f.chargesPaise}, ${f.filledAt},
      ${k.brokerage}, ${k.stt}, ${k.exchange}, ${k.sebi}, ${k.stamp}, ${k.gst})
    on conflict (order_tag, broker_fill_id) do nothing returning id`;
  return rows.length === 1;
}
