/**
 * The trade's state changes, each in one transaction with its audit records (invariant 3): entry
 * filled (position open, reservation converted), entry ended unfilled (reservation released), exit
 * requested, exit filled (P&L realized, position closed). Each is idempotent: a retried call finds
 * the change made and answers as before.
 *
 * @module
 */
import type { Actor } from '../audit/events.ts';
import { lastPrices, recordPrice } from '../db/market-prices.ts';
import { type AccountRow, lockAccountOfTrade } from '../db/accounts.ts';
import { readDayLossBook } from '../db/book.ts';
import { insertFill, updateOrder } from '../db/orders.ts';
import { closeReservation } from '../db/reservations.ts';
import { lockTrade, type TradeRow } from '../db/trades.ts';
import { transaction } from '../db/transaction.ts';
import type { TxSql } from '../db/pool.ts';
import { squareOffInstant } from '../domain/market-calendar.ts';
import { unrealizedPnl } from '../domain/risk/rules.ts';
import { closingSide, type ExitReason, exitedGrossPnl, instrumentKey, openQuantity, type TradeStatus, type TrailingStop } from '../domain/trade.ts';
import { chargesForFill, segmentOf } from '../domain/charges.ts';
import { chargeSchedule, defaultRiskLimits } from '../config.ts';
import { failpoint } from '../observability/failpoints.ts';
import { type ActivityDeps, callingWorkflow } from './context.ts';
import { moveFundsForFill, releaseTradeMargin } from './funds-moves.ts';
import type { LegResult } from './orders.ts';

/** A trade's stop-loss and target, in paise. */
interface Levels {
  stopLossPaise?: number | undefined;
  targetPaise?: number | undefined;
  /** The trailing distance in force (null once cleared; undefined: unchanged). */
  trailingStop?: TrailingStop | null | undefined;
}

export interface EntryRecorded {
  status: TradeStatus;
  entryPricePaise: number;
  filledQuantity: number;
  /** When the intraday position must be squared off (ISO), if it must. */
  squareOffAt?: string | undefined;
}

export interface ExitRecorded {
  status: TradeStatus;
  realizedPnlPaise: number;
  /** The day's loss (realized plus unrealized of what remains open), positive when losing. */
  dayLossPaise: number;
  dailyLossLimitPaise: number;
}

function averagePrice(leg: LegResult): number {
  if (leg.averagePricePaise) return leg.averagePricePaise;
  const qty = leg.fills.reduce((s, f) => s + f.quantity, 0);
  return qty ? Math.round(leg.fills.reduce((s, f) => s + f.quantity * f.pricePaise, 0) / qty) : 0;
}

export function tradeRecordActivities(deps: ActivityDeps) {
  const now = deps.now ?? (() => new Date());
  const schedule = chargeSchedule(deps.config.market);

  function base(trade: TradeRow) {
    const { workflowId, runId } = callingWorkflow();
    const actor: Actor = { type: 'workflow', id: workflowId ?? trade.workflowId };
    return { actor, accountId: trade.accountId, tradeId: trade.id, workflowId: actor.id, runId };
  }

  /**
   * Lock the trade's account, then the trade. Every change made here alters what the risk check
   * reads (open positions, reservations, realized P&L), and the reservation reads them under the
   * account's lock: a fill committing between two of its reads would count in neither (invariant 1).
   */
  async function lockOrFail(tx: TxSql, tradeId: string): Promise<{ trade: TradeRow; account: AccountRow }> {
    const account = await lockAccountOfTrade(tx, tradeId);
    const trade = await lockTrade(tx, tradeId);
    if (!trade || !account) throw new Error(`trade ${tradeId} does not exist`);
    return { trade, account };
  }

  /**
   * Store the leg's fills with their charges (moving the funds ledger), and the leg's final state (FILLED, or CANCELLED for
   * a leg that filled in part before it ended). Returns what the fills stored now add up to:
   * a retried call stores nothing twice and adds nothing. The caller adds `charges` to the trade's
   * `charges_paise` in its own update of the trade row (one statement, and one `account_book` notice).
   */
  async function storeFills(tx: TxSql, trade: TradeRow, leg: LegResult, kind: 'ENTRY' | 'EXIT', legStatus: 'FILLED' | 'CANCELLED' = 'FILLED'): Promise<{ charges: number; quantity: number; valuePaise: number }> {
    if (leg.parts) return storeSlices(tx, trade, leg.parts, kind);
    const segment = segmentOf(trade.instrument.product, trade.intraday);
    const side = kind === 'ENTRY' ? trade.side : closingSide(trade.side);
    // A broker that reports no fill lines (only an average) still traded: one line for the lot.
    const fills = leg.fills.length ? leg.fills : [{ fillId: `${leg.tag}-avg`, quantity: leg.filledQuantity, pricePaise: averagePrice(leg), at: now().toISOString() }];
    const added = { charges: 0, quantity: 0, valuePaise: 0 };
    for (const [i, fill] of fills.entries()) {
      const { total: fillCharges, ...chargeKinds } = chargesForFill(schedule, segment, side, fill.quantity * fill.pricePaise, i === 0);
      const stored = await insertFill(tx, { orderTag: leg.tag, tradeId: trade.id, accountId: trade.accountId, brokerFillId: fill.fillId, quantity: fill.quantity, pricePaise: fill.pricePaise, chargesPaise: fillCharges, filledAt: fill.at, chargeKinds });
      if (!stored) continue;
      await moveFundsForFill(tx, trade, kind, { orderTag: leg.tag, brokerFillId: fill.fillId, quantity: fill.quantity, pricePaise: fill.pricePaise, chargesPaise: fillCharges }, now());
      added.charges += fillCharges;
      added.quantity += fill.quantity;
      added.valuePaise += fill.quantity * fill.pricePaise;
    }
    // independent writes, pipelined on the transaction's connection
    await Promise.all([
      updateOrder(tx, leg.tag, { status: legStatus, brokerOrderId: leg.brokerOrderId ?? null, filledQuantity: leg.filledQuantity, averagePricePaise: averagePrice(leg) }),
      recordPrice(tx, instrumentKey(trade.instrument), averagePrice(leg), new Date(fills.at(-1)?.at ?? now().toISOString())),
    ]);
    return added;
  }

  /** A leg sent as slices: each slice's fills and state on its own order; the sums of those that filled. */
  async function storeSlices(tx: TxSql, trade: TradeRow, parts: LegResult[], kind: 'ENTRY' | 'EXIT'): Promise<{ charges: number; quantity: number; valuePaise: number }> {
    const sum = { charges: 0, quantity: 0, valuePaise: 0 };
    for (const part of parts) {
      if (part.filledQuantity === 0) {
        await endUnfilled(tx, part);
        continue;
      }
      const added = await storeFills(tx, trade, part, kind, part.status === 'FILLED' ? 'FILLED' : 'CANCELLED');
      sum.charges += added.charges;
      sum.quantity += added.quantity;
      sum.valuePaise += added.valuePaise;
    }
    return sum;
  }

  /** The final state of a leg (or of each of its slices) that ended without a fill. */
  async function endUnfilled(tx: TxSql, leg: LegResult): Promise<void> {
    for (const part of leg.parts ?? [leg]) {
      if (part.status !== 'NOT_SENT' && part.status !== 'UNKNOWN') await updateOrder(tx, part.tag, { status: part.status, rejectReason: part.rejectReason ?? null });
    }
  }

  return {
    async recordEntryFill(tradeId: string, leg: LegResult): Promise<EntryRecorded> {
      failpoint('before-fill-recorded');
      return transaction(deps.sql, async (tx) => {
        const { trade } = await lockOrFail(tx, tradeId);
        const squareOff = trade.intraday ? squareOffInstant(trade.openedAt ?? now(), deps.config.market.MARKET_HOURS, deps.config.market.SQUARE_OFF_TIME) : undefined;
        if (trade.status !== 'PENDING') {
          return { status: trade.status, entryPricePaise: trade.entryPricePaise ?? 0, filledQuantity: trade.filledQuantity, squareOffAt: squareOff?.toISOString() };
        }
        const price = averagePrice(leg);
        const { charges } = await storeFills(tx, trade, leg, 'ENTRY');
        await Promise.all([
          tx`
            update trades set status = 'OPEN', filled_quantity = ${leg.filledQuantity}, entry_price_paise = ${price},
              charges_paise = charges_paise + ${charges}, opened_at = now(), updated_at = now()
            where id = ${tradeId}`,
          closeReservation(tx, tradeId, 'CONVERTED'),
        ]);
        const b = base(trade);
        await deps.audit.append(tx, { type: 'ORDER_FILLED', ...b, payload: { tag: leg.tag, leg: 'ENTRY', brokerOrderId: leg.brokerOrderId, filledQuantity: leg.filledQuantity, averagePricePaise: price, fills: leg.fills, chargesPaise: charges } });
        await deps.audit.append(tx, {
          type: 'TRADE_ENTERED',
          ...b,
          payload: { instrument: trade.instrument, side: trade.side, quantity: leg.filledQuantity, entryPricePaise: price, stopLossPaise: trade.stopLossPaise, targetPaise: trade.targetPaise, squareOffAt: squareOff?.toISOString() },
        });
        return { status: 'OPEN', entryPricePaise: price, filledQuantity: leg.filledQuantity, squareOffAt: squareOff?.toISOString() };
      });
    },

    /** The entry ended without a position: rejected by the broker, cancelled, or failed. */
    async recordEntryClosed(tradeId: string, leg: LegResult | undefined, status: 'REJECTED' | 'CANCELLED' | 'FAILED', reason: string): Promise<TradeStatus> {
      return transaction(deps.sql, async (tx) => {
        const { trade } = await lockOrFail(tx, tradeId);
        if (trade.status !== 'PENDING') return trade.status;
        if (leg) await endUnfilled(tx, leg);
        await tx`update trades set status = ${status}, reject_reason = ${reason}, updated_at = now(), closed_at = now() where id = ${tradeId}`;
        await closeReservation(tx, tradeId, 'RELEASED');
        const b = base(trade);
        if (leg?.status === 'CANCELLED') await deps.audit.append(tx, { type: 'ORDER_CANCELLED', ...b, payload: { tag: leg.tag, leg: 'ENTRY', brokerOrderId: leg.brokerOrderId } });
        await deps.audit.append(tx, {
          type: status === 'CANCELLED' ? 'TRADE_CANCELLED' : 'TRADE_FAILED',
          ...b,
          severity: status === 'CANCELLED' ? 'LOW' : status === 'REJECTED' ? 'MEDIUM' : 'HIGH',
          payload: { status, reason, tag: leg?.tag, reservationReleased: true },
        });
        return status;
      });
    },

    async markExiting(tradeId: string, reason: ExitReason, requestedBy: Actor, requestId?: string): Promise<TradeStatus> {
      return transaction(deps.sql, async (tx) => {
        const { trade } = await lockOrFail(tx, tradeId);
        if (trade.status !== 'OPEN') return trade.status;
        await tx`update trades set status = 'EXITING', exit_reason = ${reason}, updated_at = now() where id = ${tradeId}`;
        await deps.audit.append(tx, { type: 'TRADE_EXIT_REQUESTED', ...base(trade), actor: requestedBy, requestId, payload: { reason } });
        return 'EXITING';
      });
    },

    async recordExitFill(tradeId: string, leg: LegResult, reason: ExitReason): Promise<ExitRecorded> {
      return transaction(deps.sql, async (tx) => {
        const { trade, account } = await lockOrFail(tx, tradeId);
        // The day's loss after this exit: realized plus what is still open, at the last prices.
        const dayLoss = async () => {
          const at = now();
          const { positions, realizedTodayPaise, limits } = await readDayLossBook(tx, defaultRiskLimits(deps.config.risk), account.id, at);
          const prices = await lastPrices(tx, positions.map((p) => instrumentKey(p.instrument)));
          const open = positions.map((p) => ({ instrumentKey: instrumentKey(p.instrument), side: p.side, quantity: p.quantity, entryPricePaise: p.entryPricePaise ?? 0, lastPrice: prices.get(instrumentKey(p.instrument)) }));
          const unrealized = unrealizedPnl(open, { open: true, pastIntradayCutoff: false, now: at, maxQuoteAgeMs: deps.config.market.QUOTE_MAX_AGE_S * 1000 });
          return { dayLossPaise: -(realizedTodayPaise + (unrealized ?? 0)), dailyLossLimitPaise: limits.dailyLossLimitPaise };
        };
        if (trade.status === 'CLOSED') {
          return { status: 'CLOSED', realizedPnlPaise: trade.realizedPnlPaise ?? 0, ...(await dayLoss()) };
        }
        // The whole exit: the parts that filled earlier and this last leg, each at its own prices.
        const last = await storeFills(tx, trade, leg, 'EXIT');
        await releaseTradeMargin(tx, trade, now());
        const exitedQuantity = trade.exitedQuantity + last.quantity;
        const exitedValue = trade.exitedValuePaise + last.valuePaise;
        const exitPrice = exitedQuantity ? Math.round(exitedValue / exitedQuantity) : averagePrice(leg);
        const gross = exitedGrossPnl(trade.side, trade.entryPricePaise ?? exitPrice, exitedQuantity, exitedValue);
        const exitCharges = last.charges;
        const charges = trade.chargesPaise + exitCharges;
        const realized = gross - charges;
        await tx`
          update trades set status = 'CLOSED', exit_price_paise = ${exitPrice}, gross_pnl_paise = ${gross},
            realized_pnl_paise = ${realized}, exit_reason = ${reason}, exited_quantity = ${exitedQuantity},
            exited_value_paise = ${exitedValue}, charges_paise = ${charges}, closed_at = now(), updated_at = now()
          where id = ${tradeId}`;
        const b = base(trade);
        await deps.audit.append(tx, { type: 'ORDER_FILLED', ...b, payload: { tag: leg.tag, leg: 'EXIT', brokerOrderId: leg.brokerOrderId, filledQuantity: leg.filledQuantity, averagePricePaise: exitPrice, fills: leg.fills, chargesPaise: exitCharges } });
        if (reason === 'SQUARE_OFF' || reason === 'FLATTEN') {
          await deps.audit.append(tx, { type: 'POSITION_SQUARED_OFF', ...b, payload: { reason, instrument: trade.instrument, quantity: exitedQuantity, exitPricePaise: exitPrice } });
        }
        await deps.audit.append(tx, {
          type: 'TRADE_EXITED',
          ...b,
          payload: { reason, instrument: trade.instrument, side: trade.side, quantity: exitedQuantity, entryPricePaise: trade.entryPricePaise, exitPricePaise: exitPrice, grossPnlPaise: gross, chargesPaise: charges, realizedPnlPaise: realized },
        });
        return { status: 'CLOSED', realizedPnlPaise: realized, ...(await dayLoss()) };
      });
    },

    /**
     * Part of the exit filled and the leg ended (Breeze's protective limit for a "market" exit can
     * fill some and expire): that part is closed at its prices, the rest is still held and the
     * workflow sends it out again. Returns what has been exited in all.
     */
    async recordPartialExit(tradeId: string, leg: LegResult): Promise<{ exitedQuantity: number; openQuantity: number }> {
      return transaction(deps.sql, async (tx) => {
        const { trade } = await lockOrFail(tx, tradeId);
        if (trade.status !== 'EXITING' && trade.status !== 'OPEN') return { exitedQuantity: trade.exitedQuantity, openQuantity: openQuantity(trade) };
        const part = await storeFills(tx, trade, leg, 'EXIT', leg.status === 'CANCELLED' ? 'CANCELLED' : 'FILLED');
        const exitedQuantity = trade.exitedQuantity + part.quantity;
        if (part.quantity) {
          await tx`
            update trades set exited_quantity = ${exitedQuantity}, exited_value_paise = exited_value_paise + ${part.valuePaise},
              charges_paise = charges_paise + ${part.charges}, updated_at = now()
            where id = ${tradeId}`;
          await deps.audit.append(tx, {
            type: 'ORDER_FILLED',
            ...base(trade),
            payload: { tag: leg.tag, leg: 'EXIT', partial: true, brokerOrderId: leg.brokerOrderId, brokerStatus: leg.status, filledQuantity: part.quantity, averagePricePaise: averagePrice(leg), fills: leg.fills, chargesPaise: part.charges, exitedQuantity, openQuantity: trade.filledQuantity - exitedQuantity },
          });
        }
        return { exitedQuantity, openQuantity: trade.filledQuantity - exitedQuantity };
      });
    },

    /** The exit order did not fill (rejected, cancelled, not sent): the position is still open. */
    /** A changed stop-loss or target (PATCH /trades/{id}), with its old and new values. */
    /** `reason` is 'trailing' when a trailing stop moved the stop-loss (absent when a person changed it). */
    async recordProtectionChange(tradeId: string, before: Levels, after: Levels, requestedBy: Actor, requestId?: string, reason?: 'trailing'): Promise<void> {
      await transaction(deps.sql, async (tx) => {
        const { trade } = await lockOrFail(tx, tradeId);
        const trailing = after.trailingStop === undefined ? tx`` : tx`, trailing_stop = ${after.trailingStop ? tx.json(after.trailingStop) : null}`;
        await tx`update trades set stop_loss_paise = ${after.stopLossPaise ?? null}, target_paise = ${after.targetPaise ?? null}${trailing}, updated_at = now() where id = ${tradeId}`;
        await deps.audit.append(tx, { type: 'TRADE_PROTECTION_CHANGED', ...base(trade), actor: requestedBy, requestId, payload: { before, after, ...(reason ? { reason } : {}) } });
      });
    },

    async recordExitNotFilled(tradeId: string, leg: LegResult): Promise<TradeStatus> {
      return transaction(deps.sql, async (tx) => {
        const { trade } = await lockOrFail(tx, tradeId);
        if (trade.status !== 'EXITING') return trade.status;
        await endUnfilled(tx, leg);
        await tx`update trades set status = 'OPEN', updated_at = now() where id = ${tradeId}`;
        await deps.audit.append(tx, {
          type: leg.status === 'CANCELLED' ? 'ORDER_CANCELLED' : 'ORDER_REJECTED',
          ...base(trade),
          severity: 'HIGH',
          payload: { tag: leg.tag, leg: 'EXIT', status: leg.status, reason: leg.rejectReason, positionStillOpen: true },
        });
        return 'OPEN';
      });
    },
  };
}
