/**
 * Transactions with commit hooks. `sql.begin` already rolls back when the callback throws; this
 * adds work that must run at the very end of the transaction (the audit append, so the chain's
 * head is locked only while committing) and work that must wait until it has committed (the
 * audit file copy).
 *
 * @module
 */
import type { Sql, TxSql } from './pool.ts';

type Hook = () => void | Promise<void>;
interface Hooks {
  /** The pool the transaction came from: work after commit runs there. */
  sql: Sql;
  beforeCommit: Hook[];
  afterCommit: Hook[];
}
const hooksByTx = new WeakMap<TxSql, Hooks>();

/**
 * Run `fn` in one transaction. The hooks registered with {@link beforeCommit} run, in order, after
 * `fn` and inside the transaction (a failing one rolls it back); those registered with
 * {@link afterCommit} run once it committed (a failing one is reported to `onHookError` and never
 * undoes the commit).
 */
export async function transaction<T>(
  sql: Sql,
  fn: (tx: TxSql) => Promise<T>,
  onHookError: (err: unknown) => void = () => {},
): Promise<T> {
  const hooks: Hooks = { sql, beforeCommit: [], afterCommit: [] };
  const result = (await sql.begin(async (tx) => {
    hooksByTx.set(tx, hooks);
    const value = await fn(tx);
    for (let i = 0; i < hooks.beforeCommit.length; i++) await hooks.beforeCommit[i]!();
    return value;
  })) as T;
  for (const hook of hooks.afterCommit) {
    try {
      await hook();
    } catch (err) {
      onHookError(err);
    }
  }
  return result;
}

function hooksOf(tx: TxSql): Hooks {
  const hooks = hooksByTx.get(tx);
  if (!hooks) throw new Error('commit hooks need a transaction opened by transaction()');
  return hooks;
}

/** Register work to run at the end of `tx`, before it commits. */
export function beforeCommit(tx: TxSql, hook: Hook): void {
  hooksOf(tx).beforeCommit.push(hook);
}

/** Register work to do once `tx` commits. */
export function afterCommit(tx: TxSql, hook: Hook): void {
  hooksOf(tx).afterCommit.push(hook);
}

/** The pool `tx` was opened on (for work after its commit, when `tx` can no longer be used). */
export function poolOf(tx: TxSql): Sql {
  return hooksOf(tx).sql;
}

/**
 * Run the reads of `fn` on one snapshot of the database (a read-only repeatable-read transaction).
 * Separate statements on the pool each see the database as it is when they run: a trade closing
 * between the read of the open book and that of the day's realized P&L would count in neither, or
 * in both. Inside a transaction that locks the account, the lock already keeps them together.
 */
export async function consistentRead<T>(sql: Sql, fn: (tx: TxSql) => Promise<T>): Promise<T> {
  return (await sql.begin('isolation level repeatable read read only', fn)) as T;
}
