/**
 * A trade closing and reopening as fast as the database allows, each change one statement (as the
 * exit fill that closes a trade and realizes its P&L is), while a test reads what depends on it.
 */
import type { Sql } from '../../src/db/pool.ts';

/** What `read` gives, `times` times, while `tradeId` (holding `quantity`) closes at `realizedPaise` and reopens. */
export async function readWhileClosing<T>(admin: Sql, trade: { id: string; quantity: number; realizedPaise: number }, read: () => Promise<T>, times = 150): Promise<Set<T>> {
  let closing = true;
  const flipping = (async () => {
    for (let closed = false; closing; closed = !closed) {
      await (closed
        ? admin`update trades set status = 'OPEN', exited_quantity = 0, closed_at = null, gross_pnl_paise = null, realized_pnl_paise = null where id = ${trade.id}`
        : admin`update trades set status = 'CLOSED', exited_quantity = ${trade.quantity}, closed_at = now(), gross_pnl_paise = ${trade.realizedPaise}, realized_pnl_paise = ${trade.realizedPaise} where id = ${trade.id}`);
    }
  })();
  const seen = new Set<T>();
  try {
    for (let i = 0; i < times; i++) seen.add(await read());
  } finally {
    closing = false;
    await flipping;
  }
  return seen;
}
