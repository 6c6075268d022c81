/**
 * The account's book as the risk engine sees it, read in one place for the reservation, the risk
 * status and the positions view.
 *
 * @module
 */
import { istDayStart } from '../domain/market-calendar.ts';
import type { RiskLimits } from '../domain/risk/limits.ts';
import type { Book, PricePoint, TradingState } from '../domain/risk/rules.ts';
import { instrumentKey, openQuantity } from '../domain/trade.ts';
import { type AccountRow, getAccount } from './accounts.ts';
import { lastPrices } from './market-prices.ts';
import type { TxSql } from './pool.ts';
import { lockedInstruments } from './reconciliation.ts';
import { activeReservations, entriesInLastSecond } from './reservations.ts';
import { accountLimits } from './risk-limits.ts';
import { type GuardedBook, guardedBook, type OpenPosition, openPositions, realizedSince } from './trades.ts';

export interface AccountBook {
  book: Book;
  limits: RiskLimits;
  openTrades: OpenPosition[];
  /** Last prices of the open positions and of `extraInstruments`. */
  prices: Map<string, PricePoint>;
}

/** The account fields the book carries. */
export interface BookAccount {
  id: string;
  tradingState: TradingState;
  capitalPaise: number;
}

/** What the book reads from the database, apart from the account row. */
interface BookReads {
  trades: OpenPosition[];
  limits: RiskLimits;
  reservations: Book['reservations'];
  realizedTodayPaise: number;
  ordersLastSecond: number;
  locked: string[];
  prices: Map<string, PricePoint>;
}

/**
 * Read the book of an account whose row the caller holds locked (a reservation's transaction;
 * `readAccountBook` reads row and book in a snapshot). In a transaction either way: read apart, a
 * trade closing between its reads would count in neither its open positions nor the day's
 * realized P&L, or in both.
 */
export async function readBook(sql: TxSql, defaults: RiskLimits, account: BookAccount, now: Date, extraInstruments: string[] = []): Promise<AccountBook> {
  return bookOf(account, await readBookOf(sql, defaults, account.id, now, extraInstruments));
}

/**
 * An account's row and its book, for a snapshot that locks nothing (`consistentRead`): the book's
 * reads need only the account's id, so they go out with the row's read instead of after it (one
 * wait on the connection, not two). Undefined when there is no such account.
 */
export async function readAccountBook(sql: TxSql, defaults: RiskLimits, accountId: string, now: Date): Promise<(AccountBook & { account: AccountRow }) | undefined> {
  const [account, reads] = await Promise.all([getAccount(sql, accountId), readBookOf(sql, defaults, accountId, now)]);
  return account && { account, ...bookOf(account, reads) };
}

/** What a view of an account's holdings reads: its row, its open positions and their last prices. */
export interface AccountPositions {
  account: AccountRow;
  openTrades: OpenPosition[];
  prices: Map<string, PricePoint>;
}

/**
 * An account's row, open positions and their last prices, for the positions view and the
 * monitoring snapshot: none of the risk engine's other reads (reservations, the day's realized
 * P&L, the last second's entries), which they do not show. Undefined when there is no such
 * account. In a snapshot (`consistentRead`), as `readAccountBook`.
 */
export async function readAccountPositions(sql: TxSql, accountId: string): Promise<AccountPositions | undefined> {
  const [account, openTrades] = await Promise.all([getAccount(sql, accountId), openPositions(sql, accountId)]);
  if (!account) return undefined;
  return { account, openTrades, prices: await lastPrices(sql, openTrades.map((t) => instrumentKey(t.instrument))) };
}

/** The book's reads by account id. */
async function readBookOf(sql: TxSql, defaults: RiskLimits, accountId: string, now: Date, extraInstruments: string[] = []): Promise<BookReads> {
  // Independent reads, sent together: porsager pipelines them on the connection (one round trip
  // of waiting instead of seven inside the reservation's critical section).
  const [trades, limits, reservations, realizedTodayPaise, ordersLastSecond, locked] = await Promise.all([
    openPositions(sql, accountId),
    accountLimits(sql, accountId, defaults),
    activeReservations(sql, accountId),
    realizedSince(sql, accountId, istDayStart(now)),
    entriesInLastSecond(sql, accountId, now),
    lockedInstruments(sql, accountId),
  ]);
  const prices = await lastPrices(sql, [...extraInstruments, ...trades.map((t) => instrumentKey(t.instrument))]);
  return { trades, limits, reservations, realizedTodayPaise, ordersLastSecond, locked, prices };
}

/** The book as the rules read it, from the account and the book's reads. */
function bookOf(account: BookAccount, { trades, limits, reservations, realizedTodayPaise, ordersLastSecond, locked, prices }: BookReads): AccountBook {
  return {
    openTrades: trades,
    prices,
    limits,
    book: {
      tradingState: account.tradingState,
      capitalPaise: account.capitalPaise,
      positions: trades.map((t) => ({
        instrumentKey: instrumentKey(t.instrument),
        side: t.side,
        quantity: openQuantity(t),
        entryPricePaise: t.entryPricePaise ?? 0,
        lastPrice: prices.get(instrumentKey(t.instrument)),
      })),
      reservations,
      realizedTodayPaise,
      ordersLastSecond,
      lockedInstruments: locked,
    },
  };
}

/** What the day's loss of an account needs: its open positions, the entries still working, the day's realized P&L and its limits. */
export interface DayLossBook extends GuardedBook {
  realizedTodayPaise: number;
  limits: RiskLimits;
}

/**
 * The day-loss read: only the columns the loss needs (guardedBook), where `readBook`'s whole trade
 * rows cost a worker exiting many positions of one account a read of every one of them per exit.
 * In a transaction, as `readBook`.
 */
export async function readDayLossBook(sql: TxSql, defaults: RiskLimits, accountId: string, now: Date): Promise<DayLossBook> {
  const [book, realizedTodayPaise, limits] = await Promise.all([guardedBook(sql, accountId), realizedSince(sql, accountId, istDayStart(now)), accountLimits(sql, accountId, defaults)]);
  return { ...book, realizedTodayPaise, limits };
}
