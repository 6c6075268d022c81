/**
 * Queries of the `trades` table. A trade row is written by the trade workflow's activities, each
 * change in the same transaction as its audit record; the API only reads it.
 *
 * @module
 */
import type { Violation } from '../domain/risk/rules.ts';
import type { ExitReason, Instrument, TradeRequest, TradeStatus, TrailingStop } from '../domain/trade.ts';
import type { Queryable, Sql } from './pool.ts';

export interface TradeRow {
  id: string;
  accountId: string;
  workflowId: string;
  runId: string | null;
  requestFingerprint: string;
  source: 'api' | 'webhook';
  signalId: string | null;
  requestedBy: string;
  strategyId: string | null;
  /** The registered strategy's name the trade was judged under (src/domain/strategy.ts), and the algo id its orders carry; null before strategies. */
  strategy?: string | null;
  algoId?: string | null;
  instrument: Instrument;
  side: 'BUY' | 'SELL';
  quantity: number;
  orderType: 'MARKET' | 'LIMIT';
  limitPricePaise: number | null;
  stopLossPaise: number | null;
  targetPaise: number | null;
  /** The trailing distance in force: the request's, or the last protection change's (migration 0230); null when it does not trail. */
  trailingStop: TrailingStop | null;
  intraday: boolean;
  status: TradeStatus;
  rejectReason: string | null;
  violations: Violation[] | null;
  filledQuantity: number;
  /** Of the filled quantity, what partial exit fills closed so far (the rest is still held). */
  exitedQuantity: number;
  exitedValuePaise: number;
  entryPricePaise: number | null;
  exitPricePaise: number | null;
  grossPnlPaise: number | null;
  chargesPaise: number;
  realizedPnlPaise: number | null;
  exitReason: ExitReason | null;
  createdAt: Date;
  openedAt: Date | null;
  closedAt: Date | null;
  updatedAt: Date;
}

interface RawTrade extends Omit<TradeRow, 'instrument'> {
  symbol: string;
  exchange: Instrument['exchange'];
  product: Instrument['product'];
  expiry: string | null;
  strikePaise: number | null;
  optionRight: Instrument['right'] | null;
}

const selectTrade = (sql: Queryable) => sql`
  select id, account_id as "accountId", workflow_id as "workflowId", run_id as "runId",
    request_fingerprint as "requestFingerprint", source, signal_id as "signalId", requested_by as "requestedBy",
    strategy_id as "strategyId", coalesce((select s.name from strategies s where s.id = trades.strategy), trades.strategy) as strategy,
    algo_id as "algoId", symbol, exchange, product, to_char(expiry, 'YYYY-MM-DD') as expiry,
    strike_paise as "strikePaise", option_right as "optionRight", side, quantity, order_type as "orderType",
    limit_price_paise as "limitPricePaise", stop_loss_paise as "stopLossPaise", target_paise as "targetPaise",
    trailing_stop as "trailingStop", intraday, status, reject_reason as "rejectReason", violations, filled_quantity as "filledQuantity",
    exited_quantity as "exitedQuantity", exited_value_paise as "exitedValuePaise", entry_price_paise as "entryPricePaise", exit_price_paise as "exitPricePaise", gross_pnl_paise as "grossPnlPaise",
    charges_paise as "chargesPaise", realized_pnl_paise as "realizedPnlPaise", exit_reason as "exitReason",
    created_at as "createdAt", opened_at as "openedAt", closed_at as "closedAt", updated_at as "updatedAt"
  from trades`;

type RawInstrument = Pick<RawTrade, 'symbol' | 'exchange' | 'product' | 'expiry' | 'strikePaise' | 'optionRight'>;

function instrumentOf({ symbol, exchange, product, expiry, strikePaise, optionRight }: RawInstrument): Instrument {
  const instrument: Instrument = { symbol, exchange, product };
  if (expiry) instrument.expiry = expiry;
  if (strikePaise !== null) instrument.strikePaise = strikePaise;
  if (optionRight) instrument.right = optionRight;
  return instrument;
}

function toTrade({ symbol, exchange, product, expiry, strikePaise, optionRight, ...rest }: RawTrade): TradeRow {
  return { ...rest, instrument: instrumentOf({ symbol, exchange, product, expiry, strikePaise, optionRight }) };
}

export interface NewTrade {
  id: string;
  accountId: string;
  workflowId: string;
  runId: string;
  requestFingerprint: string;
  source: 'api' | 'webhook';
  signalId?: string | undefined;
  requestedBy: string;
  request: TradeRequest;
  /** The strategy it was judged under and the algo id its orders carry (src/activities/strategy-risk.ts); absent when the strategy is unknown. */
  strategy?: { id: string; algoId: string } | undefined;
}

/** Insert the trade unless it exists; true when this call created it. */
export async function insertTrade(sql: Queryable, t: NewTrade): Promise<boolean> {
  const r = t.request;
  const i = r.instrument;
  const rows = await sql`
    insert into trades (id, account_id, workflow_id, run_id, request_fingerprint, source, signal_id, requested_by, strategy_id,
      strategy, algo_id, symbol, exchange, product, expiry, strike_paise, option_right, side, quantity, order_type, limit_price_paise,
      stop_loss_paise, target_paise, trailing_stop, intraday, status)
    values (${t.id}, ${t.accountId}, ${t.workflowId}, ${t.runId}, ${t.requestFingerprint}, ${t.source}, ${t.signalId ?? null},
      ${t.requestedBy}, ${r.strategyId ?? null}, ${t.strategy?.id ?? null}, ${t.strategy?.algoId ?? null}, ${i.symbol}, ${i.exchange},
      ${i.product}, ${i.expiry ?? null}, ${i.strikePaise ?? null}, ${i.right ?? null}, ${r.side}, ${r.quantity}, ${r.orderType},
      ${r.limitPricePaise ?? null}, ${r.stopLossPaise ?? null}, ${r.targetPaise ?? null}, ${r.trailingStop ? sql.json(r.trailingStop) : null}, ${r.intraday}, 'PENDING')
    on conflict (id) do nothing
    returning id`;
  return rows.length === 1;
}

export async function getTrade(sql: Queryable, id: string, accountId?: string): Promise<TradeRow | undefined> {
  const [row] = await sql<RawTrade[]>`${selectTrade(sql)} where id = ${id} ${accountId ? sql`and account_id = ${accountId}` : sql``}`;
  return row && toTrade(row);
}

/** What a trade's orders carry from its reservation (src/activities/orders.ts). */
export interface OrderFacts {
  /** The strategy's name and its algo id (both absent for trades from before strategies). */
  strategy?: string | undefined;
  algoId?: string | undefined;
  /** The price its entry was reserved at: a MARKET entry's protective limit. */
  reservedPricePaise?: number | undefined;
}

/** The trade's {@link OrderFacts}, in one read. */
export async function orderFactsOfTrade(sql: Queryable, tradeId: string): Promise<OrderFacts> {
  const [row] = await sql<{ strategy: string | null; algoId: string | null; reservedPricePaise: number | null }[]>`
    select coalesce(s.name, t.strategy) as strategy, t.algo_id as "algoId", r.price_paise as "reservedPricePaise"
    from trades t left join strategies s on s.id = t.strategy left join reservations r on r.trade_id = t.id
    where t.id = ${tradeId}`;
  if (!row) return {};
  return { ...(row.strategy && row.algoId ? { strategy: row.strategy, algoId: row.algoId } : {}), reservedPricePaise: row.reservedPricePaise ?? undefined };
}

/** Lock the trade row for the rest of the transaction. */
export async function lockTrade(sql: Queryable, id: string): Promise<TradeRow | undefined> {
  const [row] = await sql<RawTrade[]>`${selectTrade(sql)} where id = ${id} for update`;
  return row && toTrade(row);
}

export interface TradeFilter {
  accountId: string;
  status?: TradeStatus | undefined;
  symbol?: string | undefined;
  /** IST trading day bounds, as UTC instants. */
  from?: Date | undefined;
  to?: Date | undefined;
  /** Keyset cursor: trades created before this (createdAt, id). */
  before?: { createdAt: Date; id: string } | undefined;
  limit: number;
}

/** Newest first, keyset-paginated. */
export async function listTrades(sql: Queryable, f: TradeFilter): Promise<TradeRow[]> {
  const rows = await sql<RawTrade[]>`
    ${selectTrade(sql)}
    where account_id = ${f.accountId}
      ${f.status ? sql`and status = ${f.status}` : sql``}
      ${f.symbol ? sql`and symbol = ${f.symbol}` : sql``}
      ${f.from ? sql`and created_at >= ${f.from}` : sql``}
      ${f.to ? sql`and created_at < ${f.to}` : sql``}
      ${f.before ? sql`and (created_at, id) < (${f.before.createdAt}, ${f.before.id})` : sql``}
    order by created_at desc, id desc
    limit ${f.limit}`;
  return rows.map(toTrade);
}

/** Trades holding or about to hold a position. */
export async function openTrades(sql: Queryable, accountId: string): Promise<TradeRow[]> {
  const rows = await sql<RawTrade[]>`${selectTrade(sql)} where account_id = ${accountId} and status in ('OPEN', 'EXITING') order by opened_at`;
  return rows.map(toTrade);
}

/** An open trade as the account's book reads it (./book.ts): the position, its protection and when it opened. */
export type OpenPosition = Pick<TradeRow, 'id' | 'status' | 'instrument' | 'side' | 'filledQuantity' | 'exitedQuantity' | 'entryPricePaise' | 'stopLossPaise' | 'targetPaise' | 'chargesPaise' | 'openedAt'>;

/**
 * The trades `openTrades` returns, with only the columns the book uses. Every reservation reads all
 * of them under the account's lock: whole rows carry three times the columns and look up each
 * trade's strategy name, for a book of many positions on every entry.
 */
export async function openPositions(sql: Queryable, accountId: string): Promise<OpenPosition[]> {
  const rows = await sql<(RawInstrument & Omit<OpenPosition, 'instrument'>)[]>`
    select id, status, symbol, exchange, product, to_char(expiry, 'YYYY-MM-DD') as expiry, strike_paise as "strikePaise",
      option_right as "optionRight", side, filled_quantity as "filledQuantity", exited_quantity as "exitedQuantity",
      entry_price_paise as "entryPricePaise", stop_loss_paise as "stopLossPaise", target_paise as "targetPaise",
      charges_paise as "chargesPaise", opened_at as "openedAt"
    from trades where account_id = ${accountId} and status in ('OPEN', 'EXITING') order by opened_at`;
  return rows.map(({ symbol, exchange, product, expiry, strikePaise, optionRight, ...position }) => ({ ...position, instrument: instrumentOf({ symbol, exchange, product, expiry, strikePaise, optionRight }) }));
}

/** The instruments of the trades `openTrades` returns, each once: all a price refresh needs of them. */
export async function openInstruments(sql: Queryable, accountId: string): Promise<Instrument[]> {
  const rows = await sql<RawInstrument[]>`
    select distinct symbol, exchange, product, to_char(expiry, 'YYYY-MM-DD') as expiry, strike_paise as "strikePaise", option_right as "optionRight"
    from trades where account_id = ${accountId} and status in ('OPEN', 'EXITING')`;
  return rows.map(instrumentOf);
}

/** What the daily-loss guard watches of a book: the open positions, and how many entries are still working. */
export interface GuardedBook {
  positions: { instrument: Instrument; side: TradeRow['side']; quantity: number; entryPricePaise: number | null }[];
  pending: number;
}

/**
 * The guard's read of a book, once a second per account with positions: one statement (one
 * snapshot, so an entry turning from PENDING to OPEN is never missed between two reads) and only
 * the columns the loss needs, where whole trade rows cost the worker a tenth of its CPU.
 */
export async function guardedBook(sql: Queryable, accountId: string): Promise<GuardedBook> {
  const rows = await sql<(RawInstrument & { side: TradeRow['side']; status: TradeStatus; quantity: number; entryPricePaise: number | null })[]>`
    select symbol, exchange, product, to_char(expiry, 'YYYY-MM-DD') as expiry, strike_paise as "strikePaise", option_right as "optionRight",
      side, status, filled_quantity - exited_quantity as quantity, entry_price_paise as "entryPricePaise"
    from trades where account_id = ${accountId} and status in ('PENDING', 'OPEN', 'EXITING')
    order by opened_at`;
  const positions = rows.filter((r) => r.status !== 'PENDING').map((r) => ({ instrument: instrumentOf(r), side: r.side, quantity: r.quantity, entryPricePaise: r.entryPricePaise }));
  return { positions, pending: rows.length - positions.length };
}

/** The channel on which an account's trades or limits announce a change (migration 0220), its id as payload. */
export const ACCOUNT_BOOK_CHANNEL = 'account_book';

/** Listen for changes of accounts' books; `onListen` runs on every (re)connect. Resolves once listening. */
export async function listenAccountBooks(sql: Sql, onChange: (accountId: string) => void, onListen: () => void): Promise<() => Promise<void>> {
  const { unlisten } = await sql.listen(ACCOUNT_BOOK_CHANNEL, onChange, onListen);
  return unlisten;
}

/** Trades whose entry is still working. */
export async function pendingTrades(sql: Queryable, accountId: string): Promise<TradeRow[]> {
  const rows = await sql<RawTrade[]>`${selectTrade(sql)} where account_id = ${accountId} and status = 'PENDING' order by created_at`;
  return rows.map(toTrade);
}

/** Realized P&L of trades closed since `since` (the IST day start). */
export async function realizedSince(sql: Queryable, accountId: string, since: Date): Promise<number> {
  // Closed trades, and the parts of open ones that partial exits closed (gross: their charges are
  // realized when the trade closes).
  const [row] = await sql<{ total: number }[]>`
    select coalesce(sum(case when status = 'CLOSED' then realized_pnl_paise else ${partialGross(sql)} end), 0)::int8 as total from trades
    where account_id = ${accountId}
      and ((status = 'CLOSED' and closed_at >= ${since}) or (status in ('OPEN', 'EXITING') and exited_quantity > 0 and updated_at >= ${since}))`;
  return row?.total ?? 0;
}

/** Realized P&L of the account's most recent closed trades, newest first. */
/** SQL: gross P&L of what partial exits closed of a trade still open (see exitedGrossPnl). */
export const partialGross = (sql: Queryable) =>
  sql`(case when side = 'BUY' then 1 else -1 end) * (exited_value_paise - exited_quantity * coalesce(entry_price_paise, 0))`;

export async function recentClosedPnl(sql: Queryable, accountId: string, count: number): Promise<number[]> {
  const rows = await sql<{ pnl: number }[]>`
    select realized_pnl_paise as pnl from trades where account_id = ${accountId} and status = 'CLOSED'
    order by closed_at desc limit ${count}`;
  return rows.map((r) => r.pnl);
}
