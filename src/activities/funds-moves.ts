/**
 * How fills move the funds ledger (src/db/funds-ledger.ts), inside the transaction that stores
 * them: an entry fill blocks its margin (src/domain/margin.ts) and pays its charges; an exit fill
 * releases the margin of what it closes and books its realized P&L less its charges; a closed
 * trade releases whatever margin it still holds (rounding). A basket's leg blocks its share of the
 * basket's margin (reserved by baskets.ts), not its margin alone: a hedged spread holds what it
 * was reserved at. The paper exchange's funds check reads
 * the ledger; with a live broker the check reads the broker's funds, and the ledger is our record.
 *
 * @module
 */
import { marginHeldByTrade, recordFundsMove } from '../db/funds-ledger.ts';
import { basketLegMargin } from '../db/reservations.ts';
import type { TxSql } from '../db/pool.ts';
import type { TradeRow } from '../db/trades.ts';
import { orderMargin } from '../domain/margin.ts';
import { direction } from '../domain/trade.ts';

export interface StoredFill {
  orderTag: string;
  brokerFillId: string;
  quantity: number;
  pricePaise: number;
  chargesPaise: number;
}

/** The margin `quantity` units of the trade block: a basket leg's share of its basket's margin, else the model's margin at `pricePaise`. */
async function marginOf(tx: TxSql, trade: TradeRow, quantity: number, pricePaise: number): Promise<number> {
  const leg = await basketLegMargin(tx, trade.id);
  if (leg && leg.quantity > 0) return Math.ceil((leg.marginPaise * quantity) / leg.quantity);
  return orderMargin({ instrument: trade.instrument, side: trade.side, quantity, pricePaise });
}

export async function moveFundsForFill(tx: TxSql, trade: TradeRow, kind: 'ENTRY' | 'EXIT', fill: StoredFill, at: Date): Promise<void> {
  const base = { accountId: trade.accountId, tradeId: trade.id, fill: { orderTag: fill.orderTag, brokerFillId: fill.brokerFillId }, at };
  if (kind === 'ENTRY') {
    const margin = await marginOf(tx, trade, fill.quantity, fill.pricePaise);
    await recordFundsMove(tx, { ...base, kind: 'ENTRY_FILL', cashPaise: -fill.chargesPaise, marginPaise: margin });
    return;
  }
  const entry = trade.entryPricePaise ?? fill.pricePaise;
  const gross = direction(trade.side) * fill.quantity * (fill.pricePaise - entry);
  const held = await marginHeldByTrade(tx, trade.id);
  const release = Math.min(held, await marginOf(tx, trade, fill.quantity, entry));
  await recordFundsMove(tx, { ...base, kind: 'EXIT_FILL', cashPaise: gross - fill.chargesPaise, marginPaise: -release });
}

/** The trade is closed: whatever margin it still holds is released. */
export async function releaseTradeMargin(tx: TxSql, trade: TradeRow, at: Date): Promise<void> {
  const held = await marginHeldByTrade(tx, trade.id);
  if (held > 0) await recordFundsMove(tx, { accountId: trade.accountId, tradeId: trade.id, kind: 'MARGIN_RELEASED', cashPaise: 0, marginPaise: -held, at });
}
