/**
 * Queries of the `paper_orders` table: every order the paper exchange received, with its tag,
 * its state and the numbers it filled at.
 *
 * @module
 */
import type { Instrument, OrderType, Side } from '../domain/trade.ts';
import type { Queryable, Sql, TxSql } from './pool.ts';

/** A broker order type (STOP_LIMIT among them), or the paper exchange's own STOP (stop-loss market). */
export type PaperOrderType = OrderType | 'STOP' | 'STOP_LIMIT';
export type PaperOrderStatus = 'OPEN' | 'FILLED' | 'CANCELLED' | 'REJECTED';

export interface PaperOrderRow {
  id: string;
  tag: string;
  instrument: Instrument;
  side: Side;
  quantity: number;
  order_type: PaperOrderType;
  limit_price_paise: number | null;
  trigger_price_paise: number | null;
  /** STOP_LIMIT: when the last price first touched the trigger (from then on it works as a limit). */
  triggered_at: Date | null;
  status: PaperOrderStatus;
  filled_quantity: number;
  average_price_paise: number | null;
  reject_reason: string | null;
}

export interface NewPaperOrder {
  id: string;
  accountId: string;
  tag: string;
  instrumentKey: string;
  instrument: Instrument;
  side: Side;
  quantity: number;
  orderType: PaperOrderType;
  limitPricePaise: number | null;
  triggerPricePaise: number | null;
  strategyId: string | null;
  status: 'OPEN' | 'REJECTED';
  rejectReason: string | null;
  receivedAt: Date;
}

/** The next order number, as the exchange shows it (`P000000000042`). */
export async function nextPaperOrderId(sql: Queryable): Promise<string> {
  const [next] = await sql<{ n: number }[]>`select nextval('paper_order_numbers') as n`;
  return `P${String(next!.n).padStart(12, '0')}`;
}

export async function insertPaperOrder(sql: Queryable, o: NewPaperOrder): Promise<void> {
  await sql`
    insert into paper_orders (id, account_id, tag, instrument_key, instrument, side, quantity, order_type, limit_price_paise, trigger_price_paise, strategy_id, status, reject_reason, received_at)
    values (${o.id}, ${o.accountId}, ${o.tag}, ${o.instrumentKey}, ${sql.json(o.instrument as never)}, ${o.side}, ${o.quantity},
            ${o.orderType}, ${o.limitPricePaise}, ${o.triggerPricePaise}, ${o.strategyId}, ${o.status}, ${o.rejectReason}, ${o.receivedAt})`;
}

/** One order; with `accountId`, only if it is that account's. */
export async function paperOrder(sql: Queryable, id: string, accountId?: string): Promise<PaperOrderRow | undefined> {
  const [row] = await sql<PaperOrderRow[]>`select * from paper_orders where id = ${id} ${accountId === undefined ? sql`` : sql`and account_id = ${accountId}`}`;
  return row;
}

/** The first order of the account carrying `tag`. */
export async function paperOrderIdByTag(sql: Queryable, accountId: string, tag: string): Promise<string | undefined> {
  const [row] = await sql<{ id: string }[]>`select id from paper_orders where account_id = ${accountId} and tag = ${tag} order by received_at limit 1`;
  return row?.id;
}

export async function paperOrderInstrument(sql: Queryable, accountId: string, id: string): Promise<Instrument | undefined> {
  const [row] = await sql<{ instrument: Instrument }[]>`select instrument from paper_orders where id = ${id} and account_id = ${accountId}`;
  return row?.instrument;
}

/** The account's orders, oldest first. */
export async function paperOrderIds(sql: Queryable, accountId: string): Promise<string[]> {
  const rows = await sql<{ id: string }[]>`select id from paper_orders where account_id = ${accountId} order by received_at`;
  return rows.map((r) => r.id);
}

/** Cancel the order if it is still resting; a filled or final one is left as it is. */
export async function cancelPaperOrder(sql: Queryable, accountId: string, id: string): Promise<void> {
  await sql`
    update paper_orders set status = 'CANCELLED', updated_at = now()
    where id = ${id} and account_id = ${accountId} and status = 'OPEN'`;
}

/** Remember that a STOP_LIMIT order's trigger was touched. */
export async function markPaperOrderTriggered(sql: Queryable, id: string, at: Date): Promise<void> {
  await sql`update paper_orders set triggered_at = ${at}, updated_at = ${at} where id = ${id} and triggered_at is null`;
}

/** Change a resting order's type, prices and quantity; false when it is no longer resting. */
export async function modifyPaperOrder(
  sql: Queryable,
  accountId: string,
  id: string,
  change: { orderType: PaperOrderType; limitPricePaise: number; triggerPricePaise: number | null; quantity?: number | undefined },
  at: Date,
): Promise<boolean> {
  const rows = await sql`
    update paper_orders set order_type = ${change.orderType}, limit_price_paise = ${change.limitPricePaise},
      trigger_price_paise = ${change.triggerPricePaise}, quantity = coalesce(${change.quantity ?? null}::int, quantity), updated_at = ${at}
    where id = ${id} and account_id = ${accountId} and status = 'OPEN' returning id`;
  return rows.length === 1;
}

/** The instrument's resting orders, oldest first, locked for the rest of the transaction. */
export async function lockRestingPaperOrders(tx: TxSql, instrumentKey: string): Promise<string[]> {
  const rows = await tx<{ id: string }[]>`select id from paper_orders where instrument_key = ${instrumentKey} and status = 'OPEN' order by received_at for update`;
  return rows.map((r) => r.id);
}

export async function markPaperOrderFilled(sql: Queryable, id: string, pricePaise: number, at: Date): Promise<void> {
  await sql`
    update paper_orders set status = 'FILLED', filled_quantity = quantity, average_price_paise = ${pricePaise}, updated_at = ${at}
    where id = ${id}`;
}

/** The resting orders an expiry looks at: an instrument's, several instruments', or an account's. */
export type ExpiringOrders = { instrumentKey: string } | { instrumentKeys: string[] } | { accountId: string };

/**
 * Cancel, with `reason`, the resting orders (of instruments or of an account) received on a
 * day whose session closed (at `closes`, IST) by `now`.
 */
export async function expirePaperOrders(sql: Queryable, which: ExpiringOrders, closes: string, reason: string, now: Date): Promise<void> {
  const among = 'instrumentKey' in which ? sql`instrument_key = ${which.instrumentKey}` : 'instrumentKeys' in which ? sql`instrument_key = any(${sql.array(which.instrumentKeys)}::text[])` : sql`account_id = ${which.accountId}`;
  await sql`
    update paper_orders set status = 'CANCELLED', reject_reason = ${reason}, updated_at = ${now}
    where status = 'OPEN' and ${among}
      and (((received_at at time zone 'Asia/Kolkata')::date + ${closes}::time) at time zone 'Asia/Kolkata') <= ${now}`;
}

export interface ReceivedOrder {
  id: string;
  accountId: string;
  tag: string;
  instrument: Instrument;
  side: Side;
  quantity: number;
  orderType: PaperOrderType;
  limitPricePaise: number | null;
  triggerPricePaise: number | null;
  strategyId: string | null;
  status: PaperOrderStatus;
  filledQuantity: number;
  averagePricePaise: number | null;
  rejectReason: string | null;
  receivedAt: Date;
}

/** Every order the paper exchange received, newest first (GET /paper/orders; tests count legs by tag). */
export async function receivedOrders(sql: Queryable, filter: { accountId?: string | undefined; tag?: string | undefined; limit?: number }): Promise<ReceivedOrder[]> {
  return sql<ReceivedOrder[]>`
    select id, account_id as "accountId", tag, instrument, side, quantity, order_type as "orderType",
      limit_price_paise as "limitPricePaise", trigger_price_paise as "triggerPricePaise", strategy_id as "strategyId", status, filled_quantity as "filledQuantity",
      average_price_paise as "averagePricePaise", reject_reason as "rejectReason", received_at as "receivedAt"
    from paper_orders
    where true ${filter.accountId ? sql`and account_id = ${filter.accountId}` : sql``} ${filter.tag ? sql`and tag = ${filter.tag}` : sql``}
    order by received_at desc limit ${filter.limit ?? 500}`;
}

/** The channel a paper order's change goes out on (migration 0200): its id, when its status or filled quantity changed. */
export const PAPER_ORDER_CHANNEL = 'paper_order';

/**
 * Hear every committed change of a paper order; `onListen` is called each time the listening
 * connection is (re)established. Resolves once listening, to the function that stops it.
 */
export async function listenPaperOrders(sql: Sql, onChange: (orderId: string) => void, onListen: () => void): Promise<() => Promise<void>> {
  const { unlisten } = await sql.listen(PAPER_ORDER_CHANNEL, onChange, onListen);
  return unlisten;
}
