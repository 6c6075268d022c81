/**
 * Transactions with after-commit hooks. `sql.begin` already rolls back when the callback throws;
 * this adds a way for writers inside the transaction (the audit file copy, metrics) to act only
 * once the transaction has committed.
 *
 * @module
 */
import type { Sql, TxSql } from './pool.ts';

type Hook = () => void | Promise<void>;
const hooksByTx = new WeakMap<TxSql, Hook[]>();

/**
 * Run `fn` in one transaction; after it commits, run the hooks registered with {@link afterCommit}.
 * A failing hook is reported to `onHookError` and never undoes the commit.
 */
export async function transaction<T>(
  sql: Sql,
  fn: (tx: TxSql) => Promise<T>,
  onHookError: (err: unknown) => void = () => {},
): Promise<T> {
  const hooks: Hook[] = [];
  const result = (await sql.begin(async (tx) => {
    hooksByTx.set(tx, hooks);
    return fn(tx);
  })) as T;
  for (const hook of hooks) {
    try {
      await hook();
    } catch (err) {
      onHookError(err);
    }
  }
  return result;
}

/** Register work to do once `tx` commits; throws when `tx` was not opened by {@link transaction}. */
export function afterCommit(tx: TxSql, hook: Hook): void {
  const hooks = hooksByTx.get(tx);
  if (!hooks) throw new Error('afterCommit needs a transaction opened by transaction()');
  hooks.push(hook);
}
