/**
 * Trading must be halted around a restore: orders placed while tables are being rewound would be
 * lost or duplicated. Before: the restore refuses while any account trades (ACTIVE, or REDUCING
 * with exits in flight), unless forced, and forcing halts them first — through the circuit
 * breaker when Temporal answers (so its state and the database agree), otherwise by writing
 * HALTED directly. Inside the restore: every restored account is held HALTED, because the
 * backup's rows carry the trading state of their day, and trading must not resume before the
 * open trades are reconciled with the broker.
 *
 * @module
 */
import type { AuditLog } from '../audit/append.ts';
import type { Actor } from '../audit/events.ts';
import { lockAccount, writeTradingState } from '../db/accounts.ts';
import type { Queryable, Sql, TxSql } from '../db/pool.ts';
import { transaction } from '../db/transaction.ts';
import type { TradingState } from '../domain/risk/rules.ts';

export interface AccountState {
  id: string;
  tradingState: TradingState;
}

/** Accounts that are not HALTED (none when the database has no accounts table yet). */
export async function accountsTrading(sql: Queryable): Promise<AccountState[]> {
  const [exists] = await sql<{ present: boolean }[]>`select to_regclass('accounts') is not null as present`;
  if (!exists?.present) return [];
  return sql<AccountState[]>`select id, trading_state as "tradingState" from accounts where trading_state <> 'HALTED' order by id`;
}

export type HaltedVia = 'circuit-breaker' | 'database';

/**
 * The circuit breaker as a restore uses it; src/temporal/circuit-breaker.ts implements it on the
 * Temporal client, and the restore's caller passes it in when Temporal is configured.
 */
export interface RestoreBreaker {
  /** Temporal answers its health check (without it, no breaker can). */
  reachable(): Promise<boolean>;
  /** Halt the account through its breaker, without flattening; the trading state it reports after. */
  halt(accountId: string, reason: string, requestedBy: Actor): Promise<TradingState>;
}

/** How long to wait for the breaker (it needs a running worker) before writing the state directly. */
const BREAKER_WAIT_MS = 15_000;

async function viaBreaker(breaker: RestoreBreaker, accountId: string, reason: string, actor: Actor): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const gaveUp = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), BREAKER_WAIT_MS)));
  try {
    const halted = breaker.halt(accountId, reason, actor).then((state) => state === 'HALTED');
    halted.catch(() => undefined);
    return await Promise.race([halted, gaveUp]);
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}

/** Write HALTED with its audit record, as the breaker's activity would. */
export async function writeHalted(tx: TxSql, audit: AuditLog, accountId: string, reason: string, actor: Actor, details: Record<string, unknown>): Promise<boolean> {
  const account = await lockAccount(tx, accountId);
  if (!account || account.tradingState === 'HALTED') return false;
  await writeTradingState(tx, accountId, 'HALTED', reason, `${actor.type}:${actor.id}`, null);
  await audit.append(tx, { type: 'CIRCUIT_BREAKER_TRIPPED', actor, accountId, payload: { from: account.tradingState, to: 'HALTED', reason, ...details } });
  return true;
}

/**
 * Halt every account that trades, before a forced restore. Returns how each was halted; the
 * caller re-reads the states to confirm.
 */
export async function haltForRestore(
  deps: { sql: Sql; audit: AuditLog; breaker?: RestoreBreaker | undefined },
  accounts: readonly AccountState[],
  reason: string,
  actor: Actor,
): Promise<Record<string, HaltedVia>> {
  const via: Record<string, HaltedVia> = {};
  const breakerUp = deps.breaker ? await deps.breaker.reachable() : false;
  for (const account of accounts) {
    if (breakerUp && deps.breaker && (await viaBreaker(deps.breaker, account.id, reason, actor))) {
      via[account.id] = 'circuit-breaker';
      continue;
    }
    await transaction(deps.sql, (tx) => writeHalted(tx, deps.audit, account.id, reason, actor, { via: 'restore: Temporal or its worker did not answer' }));
    via[account.id] = 'database';
  }
  return via;
}

/** Inside the restore transaction: hold every restored account HALTED until reconciliation. */
export async function holdRestoredAccountsHalted(tx: TxSql, audit: AuditLog, actor: Actor, backupId: string): Promise<string[]> {
  const held: string[] = [];
  for (const account of await accountsTrading(tx)) {
    const reason = `RESTORE: backup ${backupId} restored; reconcile open trades with the broker before resuming`;
    if (await writeHalted(tx, audit, account.id, reason, actor, { backupId })) held.push(account.id);
  }
  return held;
}
