/**
 * A basket's leg trade taking over the reservation its basket made (baskets.ts): the basket's
 * reservation inserted the leg's trade row, judged and reserved it, and marked it unclaimed
 * (`run_id` = {@link unclaimed}); the first trade workflow run to reserve it claims it (risk.ts),
 * and any other run is a duplicate that must not trade.
 *
 * @module
 */
import type { Queryable } from '../db/pool.ts';
import { getTrade, type TradeRow } from '../db/trades.ts';
import type { Violation } from '../domain/risk/rules.ts';
import type { TradeStatus } from '../domain/trade.ts';

/** The reservation's answer (risk.ts ReserveResult). */
export interface ClaimResult {
  outcome: 'ACCEPTED' | 'REJECTED' | 'DUPLICATE';
  violations: Violation[];
  status: TradeStatus;
}

/** The run id of a basket's leg before its trade workflow claims it. */
export function unclaimed(basketId: string): string {
  return `basket:${basketId}`;
}

export async function claimBasketLeg(sql: Queryable, trade: TradeRow, runId: string | undefined): Promise<ClaimResult> {
  let now = trade;
  if (runId && trade.runId?.startsWith('basket:')) {
    await sql`update trades set run_id = ${runId} where id = ${trade.id} and run_id = ${trade.runId}`;
    now = (await getTrade(sql, trade.id)) ?? trade;
  }
  if (runId && now.runId !== runId) return { outcome: 'DUPLICATE', violations: now.violations ?? [], status: now.status };
  if (now.status === 'REJECTED') return { outcome: 'REJECTED', violations: now.violations ?? [], status: now.status };
  return { outcome: 'ACCEPTED', violations: [], status: now.status };
}

