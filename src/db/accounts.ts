/**
 * Queries of the `accounts` table: the account row is the lock every risk decision and trading
 * state change takes, so they are ordered one after the other.
 *
 * @module
 */
import type { TradingState } from '../domain/risk/rules.ts';
import type { Queryable, TxSql } from './pool.ts';

export interface AccountRow {
  id: string;
  name: string;
  capitalPaise: number;
  tradingState: TradingState;
  stateReason: string | null;
  stateChangedAt: Date;
  stateChangedBy: string | null;
  resumeNotBefore: Date | null;
}

const columns = (sql: Queryable) => sql`
  id, name, capital_paise as "capitalPaise", trading_state as "tradingState", state_reason as "stateReason",
  state_changed_at as "stateChangedAt", state_changed_by as "stateChangedBy", resume_not_before as "resumeNotBefore"`;

/** Create the account when missing; returns it either way. */
export async function ensureAccount(sql: Queryable, id: string, capitalPaise: number): Promise<AccountRow> {
  await sql`insert into accounts (id, name, capital_paise) values (${id}, ${id}, ${capitalPaise}) on conflict (id) do nothing`;
  const account = await getAccount(sql, id);
  if (!account) throw new Error(`account ${id} could not be created`);
  return account;
}

export async function getAccount(sql: Queryable, id: string): Promise<AccountRow | undefined> {
  const [row] = await sql<AccountRow[]>`select ${columns(sql)} from accounts where id = ${id}`;
  return row;
}

/**
 * Lock the account row for the rest of the transaction: against every other lock of it (the
 * risk check's, a fill's, a change of its state), not against the rows that merely refer to it.
 * `for no key update`, the lock of an update that keeps the row's key, leaves the foreign-key
 * checks of those rows (`for key share`) alone, so recording one trade's order is not held up by
 * another trade's risk check; `for update` made every insert naming the account wait for it.
 */
export async function lockAccount(tx: TxSql, id: string): Promise<AccountRow | undefined> {
  const [row] = await tx<AccountRow[]>`select ${columns(tx)} from accounts where id = ${id} for no key update`;
  return row;
}

/** Lock the account that owns the trade, as {@link lockAccount} (one statement where reading the owner first took two); undefined when no such trade. */
export async function lockAccountOfTrade(tx: TxSql, tradeId: string): Promise<AccountRow | undefined> {
  const [row] = await tx<AccountRow[]>`select ${columns(tx)} from accounts where id = (select account_id from trades where id = ${tradeId}) for no key update`;
  return row;
}

export async function listAccountIds(sql: Queryable): Promise<string[]> {
  return (await sql<{ id: string }[]>`select id from accounts order by id`).map((r) => r.id);
}

export async function setCapital(sql: Queryable, id: string, capitalPaise: number): Promise<void> {
  await sql`update accounts set capital_paise = ${capitalPaise} where id = ${id}`;
}

export async function writeTradingState(
  tx: TxSql,
  id: string,
  state: TradingState,
  reason: string | null,
  changedBy: string,
  resumeNotBefore: Date | null,
): Promise<void> {
  await tx`
    update accounts set trading_state = ${state}, state_reason = ${reason}, state_changed_at = now(),
      state_changed_by = ${changedBy}, resume_not_before = ${resumeNotBefore}
    where id = ${id}`;
}
