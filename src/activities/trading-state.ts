/**
 * What the circuit breaker does to the world: write the trading state the risk reservation reads
 * (with its audit record), cancel working entries, flatten open positions and confirm the book is
 * flat, and hear from trades (losses, broker failures).
 *
 * @module
 */
import type { Actor, AuditEventType } from '../audit/events.ts';
import { lockAccount, writeTradingState } from '../db/accounts.ts';
import { openTrades, pendingTrades } from '../db/trades.ts';
import { transaction } from '../db/transaction.ts';
import type { TradingState } from '../domain/risk/rules.ts';
import { type ActivityDeps, callingWorkflow } from './context.ts';
import type { BrokerFailure, TradeClosed } from './ports.ts';

export interface StateChange {
  accountId: string;
  state: TradingState;
  reason: string;
  actor: Actor;
  resumeNotBefore?: string | undefined;
  requestId?: string | undefined;
  details?: Record<string, unknown> | undefined;
}

const EVENT_OF: Record<TradingState, AuditEventType> = {
  HALTED: 'CIRCUIT_BREAKER_TRIPPED',
  REDUCING: 'TRADING_REDUCED',
  ACTIVE: 'TRADING_RESUMED',
};

export function tradingStateActivities(deps: ActivityDeps) {
  return {
    async applyTradingState(change: StateChange): Promise<void> {
      const { workflowId, runId } = callingWorkflow();
      const changed = await transaction(deps.sql, async (tx) => {
        const account = await lockAccount(tx, change.accountId);
        if (!account) throw new Error(`account ${change.accountId} does not exist`);
        // A resume of an account already trading changes nothing, and records nothing.
        if (change.state === 'ACTIVE' && account.tradingState === 'ACTIVE') return false;
        await writeTradingState(tx, change.accountId, change.state, change.reason, `${change.actor.type}:${change.actor.id}`, change.resumeNotBefore ? new Date(change.resumeNotBefore) : null);
        await deps.audit.append(tx, {
          type: EVENT_OF[change.state],
          actor: change.actor,
          accountId: change.accountId,
          workflowId,
          runId,
          requestId: change.requestId,
          payload: { from: account.tradingState, to: change.state, reason: change.reason, resumeNotBefore: change.resumeNotBefore, ...change.details },
        });
        return true;
      });
      if (!changed) return;
      if (change.state !== 'ACTIVE') {
        deps.log.error({ alert: 'circuit_breaker_tripped', accountId: change.accountId, state: change.state, reason: change.reason }, `trading ${change.state} for ${change.accountId}: ${change.reason}`);
      } else {
        deps.log.warn({ alert: 'trading_resumed', accountId: change.accountId }, `trading resumed for ${change.accountId}`);
      }
    },

    /** Ask every trade whose entry is still working to cancel it; returns how many were asked. */
    async cancelWorkingEntries(accountId: string, requestedBy: Actor): Promise<number> {
      const trades = await pendingTrades(deps.sql, accountId);
      await Promise.all(
        trades.map((t) =>
          deps.trades.cancelEntry(t.workflowId, requestedBy).catch((err: unknown) => {
            deps.log.warn({ err, tradeId: t.id }, 'could not cancel a working entry (it may have finished)');
          }),
        ),
      );
      return trades.length;
    },

    /**
     * Ask every trade that holds or may come to hold a position to exit now: open and exiting ones,
     * and working entries (which cancel, and exit at once should they fill first). Returns how many.
     */
    async flattenPositions(accountId: string, requestedBy: Actor): Promise<number> {
      const trades = [...(await pendingTrades(deps.sql, accountId)), ...(await openTrades(deps.sql, accountId))];
      await Promise.all(
        trades.map((t) =>
          deps.trades.requestExit(t.workflowId, 'FLATTEN', requestedBy).catch((err: unknown) => {
            deps.log.warn({ err, tradeId: t.id }, 'could not ask a trade to flatten (it may have closed)');
          }),
        ),
      );
      return trades.length;
    },

    /** True when nothing is open, exiting or pending. */
    async bookIsFlat(accountId: string): Promise<boolean> {
      const [row] = await deps.sql<{ n: number }[]>`
        select count(*)::int8 as n from trades where account_id = ${accountId} and status in ('PENDING', 'OPEN', 'EXITING')`;
      return (row?.n ?? 0) === 0;
    },

    /** The book did not come flat after a flatten: audited and logged loudly; an operator must look. */
    async reportFlattenIncomplete(accountId: string, requestedBy: Actor): Promise<void> {
      const left = await deps.sql<{ id: string; status: string }[]>`
        select id, status from trades where account_id = ${accountId} and status in ('PENDING', 'OPEN', 'EXITING') order by created_at`;
      deps.log.error({ accountId, trades: left }, 'book not flat after flatten: positions or working entries remain');
      await transaction(deps.sql, (tx) =>
        deps.audit.append(tx, { type: 'FLATTEN_INCOMPLETE', actor: { type: 'system', id: 'circuit-breaker' }, accountId, payload: { requestedBy, remaining: left } }),
      );
    },

    async reportTradeClosed(accountId: string, closed: TradeClosed): Promise<void> {
      await deps.breaker.tradeClosed(accountId, closed);
    },

    async reportBrokerFailure(accountId: string, failure: BrokerFailure): Promise<void> {
      await deps.breaker.brokerFailed(accountId, failure);
    },
  };
}
