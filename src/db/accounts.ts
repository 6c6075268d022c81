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

/** Lock the account row for the rest of the transaction. */
export async function lockAccount(tx: TxSql, id: string): Promise<AccountRow | undefined> {
  const [row] = await tx<AccountRow[]>`select ${columns(tx)} from accounts where id = ${id} for update`;
  return row;
}

/** Lock the account that owns the trade (one statement where reading the owner first took two); undefined when no such trade. */
export async function lockAccountOfTrade(tx: TxSql, tradeId: string): Promise<AccountRow | undefined> {
  const [row] = await tx<AccountRow[]>`select ${columns(tx)} from accounts where id = (select account_id from trades where id = ${tradeId}) for update`;
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
