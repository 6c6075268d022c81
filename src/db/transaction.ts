/**
 * Transactions with commit hooks. `sql.begin` already rolls back when the callback throws; this
 * adds work that must run at the very end of the transaction, statements sent together with its
 * COMMIT (the audit append, so the chain's head and the account's lock are held one round trip
 * less), and work that must wait until it has committed (the audit file copy).
 *
 * @module
 */
import type { Sql, TxSql } from './pool.ts';

type Hook = () => void | Promise<void>;
interface Hooks {
  /** The pool the transaction came from: work after commit runs there. */
  sql: Sql;
  beforeCommit: Hook[];
  withCommit: (() => Promise<unknown>)[];
  afterCommit: Hook[];
}
const hooksByTx = new WeakMap<TxSql, Hooks>();

/**
 * Run `fn` in one transaction. The hooks registered with {@link beforeCommit} run, in order, after
 * `fn` and inside the transaction (a failing one rolls it back); then the statements registered
 * with {@link sendWithCommit} go out with the COMMIT; those registered with {@link afterCommit} run
 * once it committed (a failing one is reported to `onHookError` and never undoes the commit).
 */
export async function transaction<T>(
  sql: Sql,
  fn: (tx: TxSql) => Promise<T>,
  onHookError: (err: unknown) => void = () => {},
): Promise<T> {
  const hooks: Hooks = { sql, beforeCommit: [], withCommit: [], afterCommit: [] };
  let sent: Promise<unknown>[] = [];
  const result = (await sql.begin(async (tx) => {
    hooksByTx.set(tx, hooks);
    const value = await fn(tx);
    for (let i = 0; i < hooks.beforeCommit.length; i++) await hooks.beforeCommit[i]!();
    // Not awaited: the driver writes them and the COMMIT behind them on the transaction's connection.
    sent = hooks.withCommit.map((send) => send());
    for (const s of sent) s.catch(() => {}); // awaited below, once the COMMIT is answered
    return value;
  })) as T;
  // PostgreSQL answers the COMMIT of a transaction in which a statement failed with a rollback, not
  // an error: a statement sent with the COMMIT that failed means that nothing was committed.
  await Promise.all(sent);
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

/**
 * Send a statement as the last of `tx`, in the COMMIT's write, without waiting for its answer
 * first: one round trip fewer, and whatever it locks is held that much less. `send` issues the
 * statement at once (a query's `execute()`: awaiting a query issues it a tick later, when the
 * statements sent after it may be ahead of it) and resolves with what the caller makes of its
 * answer (before the after-commit work runs). Should it fail, the transaction rolled back and `transaction()` throws its error; what
 * `send` does with a successful answer must not throw, since the COMMIT has been sent by then.
 */
export function sendWithCommit(tx: TxSql, send: () => Promise<unknown>): void {
  hooksOf(tx).withCommit.push(send);
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
