/**
 * Reads taken while the database flips between two states as fast as it can, each flip one
 * transaction (as the fill that closes a trade, or converts a reservation, is): a read that mixes
 * the two states shows a value neither of them has.
 */
import type { Queryable } from '../../src/db/pool.ts';

/** What `read` gives, `times` times, while `flip(on)` turns the change on and off; it ends off. */
export async function readWhileFlipping<T>(flip: (on: boolean) => Promise<unknown>, read: () => Promise<T>, times = 150): Promise<Set<T>> {
  let flipping = true;
  const flips = (async () => {
    let on = false;
    while (flipping) await flip((on = !on));
    if (on) await flip(false);
  })();
  const seen = new Set<T>();
  try {
    for (let i = 0; i < times; i++) seen.add(await read());
  } finally {
    flipping = false;
    await flips;
  }
  return seen;
}

/** Close `trade` (holding `quantity`) at `realizedPaise`, or reopen it: one statement either way. */
export function closeOrReopen(sql: Queryable, trade: { id: string; quantity: number; realizedPaise: number }) {
  return (close: boolean) =>
    close
      ? sql`update trades set status = 'CLOSED', exited_quantity = ${trade.quantity}, closed_at = now(), gross_pnl_paise = ${trade.realizedPaise}, realized_pnl_paise = ${trade.realizedPaise} where id = ${trade.id}`
      : sql`update trades set status = 'OPEN', exited_quantity = 0, closed_at = null, gross_pnl_paise = null, realized_pnl_paise = null where id = ${trade.id}`;
}
