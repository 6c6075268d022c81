/**
 * The funds tables: the paper exchange's ledger that fills and charges move, the margin reserved
 * by orders in flight, and the broker's funds as last read (src/db/migrations/0130_funds_and_margin.sql).
 *
 * @module
 */
import type { Paise } from '../domain/money.ts';
import type { Queryable } from './pool.ts';

export interface FundsMove {
  accountId: string;
  tradeId: string;
  kind: 'ENTRY_FILL' | 'EXIT_FILL' | 'MARGIN_RELEASED';
  /** The stored fill this move belongs to (its order tag and the broker's fill id). */
  fill?: { orderTag: string; brokerFillId: string } | undefined;
  /** Realized P&L less charges: what the balance gains (negative: loses). */
  cashPaise: Paise;
  /** Margin blocked (positive) or released (negative). */
  marginPaise: Paise;
  at: Date;
}

export async function recordFundsMove(sql: Queryable, m: FundsMove): Promise<void> {
  const fillId = m.fill ? sql`(select id from fills where order_tag = ${m.fill.orderTag} and broker_fill_id = ${m.fill.brokerFillId})` : sql`null`;
  await sql`
    insert into funds_ledger (account_id, trade_id, fill_id, kind, cash_paise, margin_paise, at)
    values (${m.accountId}, ${m.tradeId}, ${fillId}, ${m.kind}, ${m.cashPaise}, ${m.marginPaise}, ${m.at})
    on conflict (fill_id) do nothing`;
}

/** The margin the trade's fills still hold in the ledger. */
export async function marginHeldByTrade(sql: Queryable, tradeId: string): Promise<Paise> {
  const [row] = await sql<{ margin: number }[]>`select coalesce(sum(margin_paise), 0)::int8 as margin from funds_ledger where trade_id = ${tradeId}`;
  return row?.margin ?? 0;
}

/** What the ledger has moved in all: the balance's change from the capital, and the margin held. */
export async function ledgerTotals(sql: Queryable, accountId: string): Promise<{ cashPaise: Paise; marginPaise: Paise }> {
  const [row] = await sql<{ cashPaise: number; marginPaise: number }[]>`
    select coalesce(sum(cash_paise), 0)::int8 as "cashPaise", coalesce(sum(margin_paise), 0)::int8 as "marginPaise"
    from funds_ledger where account_id = ${accountId}`;
  return row ?? { cashPaise: 0, marginPaise: 0 };
}

/**
 * Margin reserved by the account's orders in flight. With `convertedSince`, reservations whose
 * order filled after that instant count too: a broker snapshot read before the fill may not show
 * its margin yet, and counting it twice errs on the safe side. With `exchanges`, only orders there
 * (a broker's segment: equity on NSE/BSE, F&O on NFO/BFO).
 */
export async function reservedMargin(sql: Queryable, accountId: string, convertedSince?: Date, exchanges?: readonly string[]): Promise<Paise> {
  const converted = convertedSince ? sql`or (status = 'CONVERTED' and updated_at >= ${convertedSince})` : sql``;
  // instrument keys start with the exchange (src/domain/trade.ts instrumentKey)
  const onExchanges = exchanges ? sql`and split_part(instrument_key, ':', 1) in ${sql(exchanges as string[])}` : sql``;
  const [row] = await sql<{ margin: number }[]>`
    select coalesce(sum(margin_paise), 0)::int8 as margin from reservations
    where account_id = ${accountId} and (status = 'ACTIVE' ${converted}) ${onExchanges}`;
  return row?.margin ?? 0;
}

export interface BrokerFundsRow {
  equityAllocatedPaise: Paise;
  equityBlockedPaise: Paise;
  fnoAllocatedPaise: Paise;
  fnoBlockedPaise: Paise;
  fetchedAt: Date;
}

export async function brokerFundsOf(sql: Queryable, accountId: string): Promise<BrokerFundsRow | undefined> {
  const [row] = await sql<BrokerFundsRow[]>`
    select equity_allocated_paise as "equityAllocatedPaise", equity_blocked_paise as "equityBlockedPaise",
      fno_allocated_paise as "fnoAllocatedPaise", fno_blocked_paise as "fnoBlockedPaise", fetched_at as "fetchedAt"
    from broker_funds where account_id = ${accountId}`;
  return row;
}

/** Store a newer read (an older one arriving late is ignored). */
export async function saveBrokerFunds(sql: Queryable, accountId: string, f: BrokerFundsRow): Promise<void> {
  await sql`
    insert into broker_funds (account_id, equity_allocated_paise, equity_blocked_paise, fno_allocated_paise, fno_blocked_paise, fetched_at)
    values (${accountId}, ${f.equityAllocatedPaise}, ${f.equityBlockedPaise}, ${f.fnoAllocatedPaise}, ${f.fnoBlockedPaise}, ${f.fetchedAt})
    on conflict (account_id) do update set equity_allocated_paise = excluded.equity_allocated_paise,
      equity_blocked_paise = excluded.equity_blocked_paise, fno_allocated_paise = excluded.fno_allocated_paise,
      fno_blocked_paise = excluded.fno_blocked_paise, fetched_at = excluded.fetched_at
    where broker_funds.fetched_at < excluded.fetched_at`;
}
