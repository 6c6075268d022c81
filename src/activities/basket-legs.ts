/**
 * A basket's legs after its reservation (baskets.ts): each leg's trade started as POST /trades
 * starts one, its status read, its exit requested when the basket unwinds, and the basket's end
 * recorded with its audit record.
 *
 * @module
 */
import type { Actor } from '../audit/events.ts';
import { basketLegIds, updateBasket } from '../db/baskets.ts';
import { getTrade } from '../db/trades.ts';
import { transaction } from '../db/transaction.ts';
import { tradeWorkflowId } from '../domain/ids.ts';
import { FINAL_STATUSES, type TradeStatus } from '../domain/trade.ts';
import { type ActivityDeps, callingWorkflow } from './context.ts';
import type { TradeStart } from './ports.ts';

export interface LegStatus {
  tradeId: string;
  status: TradeStatus;
  filledQuantity: number;
  reason?: string | undefined;
}

export function basketLegActivities(deps: ActivityDeps) {
  async function legStatuses(basketId: string): Promise<LegStatus[]> {
    const out: LegStatus[] = [];
    for (const id of await basketLegIds(deps.sql, basketId)) {
      const t = await getTrade(deps.sql, id);
      if (t) out.push({ tradeId: id, status: t.status, filledQuantity: t.filledQuantity, reason: t.rejectReason ?? undefined });
    }
    return out;
  }

  return {
    /** Start the leg's trade (or join it) and wait up to `ackWaitMs` for its entry: its status then. */
    async startBasketLeg(input: TradeStart, ackWaitMs: number): Promise<TradeStatus> {
      const status = await deps.trades.startTrade(input, ackWaitMs);
      return status ?? (await getTrade(deps.sql, input.tradeId))?.status ?? 'PENDING';
    },

    basketLegStatuses: legStatuses,

    /** Exit the leg (a pending one cancels its entry, and exits should it fill first); a leg already final stays as it is. */
    async exitBasketLeg(tradeId: string, requestedBy: Actor): Promise<void> {
      try {
        await deps.trades.requestExit(tradeWorkflowId(tradeId), 'REQUESTED', requestedBy);
      } catch (err) {
        const now = await getTrade(deps.sql, tradeId);
        if (now && (FINAL_STATUSES.includes(now.status) || now.status === 'EXITING')) return;
        throw err;
      }
    },

    /** The basket's end: OPEN (every leg open) or FAILED (a leg could not fill; the others were exited). */
    async recordBasketEnd(basketId: string, accountId: string, status: 'OPEN' | 'FAILED', reason?: string): Promise<void> {
      const { workflowId, runId } = callingWorkflow();
      const legs = await legStatuses(basketId);
      await transaction(deps.sql, async (tx) => {
        await updateBasket(tx, basketId, { status, reason });
        await deps.audit.append(tx, {
          type: status === 'OPEN' ? 'BASKET_OPENED' : 'BASKET_FAILED',
          actor: { type: 'workflow', id: workflowId ?? `basket-${basketId}` },
          accountId,
          workflowId,
          runId,
          payload: { basketId, reason, legs },
        });
      });
    },
  };
}
