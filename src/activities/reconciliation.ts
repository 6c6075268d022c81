/**
 * Reconciliation's steps: read our book, the broker's positions and open orders, and our book
 * again; compare (src/domain/reconciliation.ts); record each new difference with its audit record
 * in one transaction, and raise an alert. A recorded difference locks entries in its instrument
 * (rule RECONCILIATION_LOCK) until an operator resolves it. Nothing here touches a fill or a
 * position: the broker's book is reported, never copied into ours.
 *
 * @module
 */
import type { Actor } from '../audit/events.ts';
import { BrokerSessionExpiredError } from '../broker/errors.ts';
import type { BrokerOrder, BrokerPosition } from '../broker/types.ts';
import { listAccountIds, lockAccount } from '../db/accounts.ts';
import { holidaysOf } from '../db/market-holidays.ts';
import { clearAbsent, type FindingState, ourLiveBook, ourTagsAmong, recordFinding, watchedInstruments } from '../db/reconciliation.ts';
import { transaction } from '../db/transaction.ts';
import { marketStatus } from '../domain/market-calendar.ts';
import { type MismatchKind, reconcile } from '../domain/reconciliation.ts';
import { type ActivityDeps, callingWorkflow } from './context.ts';

export interface AccountsToReconcile {
  accountIds: string[];
  /** Why nothing is reconciled this time (scheduled runs while the market is closed). */
  skipped?: string | undefined;
}

export interface ReportedMismatch {
  id: number;
  state: FindingState;
  kind: MismatchKind;
  instrumentKey: string;
  ref: string;
  ours: number;
  theirs: number;
}

export interface AccountReconciliation {
  accountId: string;
  checked: string[];
  skipped: string[];
  mismatches: ReportedMismatch[];
  /** Set when the broker could not be read; nothing was compared. */
  error?: string | undefined;
}

export function reconciliationActivities(deps: ActivityDeps) {
  const now = deps.now ?? (() => new Date());

  return {
    /**
     * Every account, or none while the NSE market is closed unless `anyTime`: outside market hours
     * nothing trades, and Breeze allows 5,000 calls a day (a round costs five).
     */
    async reconciliationAccounts(anyTime: boolean): Promise<AccountsToReconcile> {
      if (!anyTime) {
        const market = marketStatus(now(), deps.config.market.MARKET_HOURS, await holidaysOf(deps.sql, 'NSE'));
        if (!market.open) return { accountIds: [], skipped: `market closed: ${market.reason ?? market.phase}` };
      }
      return { accountIds: await listAccountIds(deps.sql) };
    },

    async reconcileAccount(accountId: string, requestedBy?: Actor): Promise<AccountReconciliation> {
      const before = await ourLiveBook(deps.sql, accountId);
      let theirs: { positions: BrokerPosition[]; orders: BrokerOrder[] };
      try {
        theirs = { positions: await deps.broker.positions(accountId), orders: await deps.broker.listOrders(accountId) };
      } catch (err) {
        // No session, nothing to compare: retrying before an operator sets one only spends budget.
        if (!(err instanceof BrokerSessionExpiredError)) throw err;
        deps.log.warn({ accountId, err: err.message }, 'reconciliation skipped: the broker session has expired');
        return { accountId, checked: [], skipped: [], mismatches: [], error: err.message };
      }
      const after = await ourLiveBook(deps.sql, accountId);
      // Read after the broker's book: a leg is recorded before it is sent, so every order of ours is known by now.
      const ourTags = await ourTagsAmong(deps.sql, accountId, theirs.orders.filter((o) => o.status === 'OPEN').map((o) => o.tag));
      const result = reconcile({ before, theirs, after, ourTags, watched: await watchedInstruments(deps.sql, accountId) });

      const { workflowId, runId } = callingWorkflow();
      const actor: Actor = { type: 'workflow', id: workflowId ?? 'reconciliation' };
      const at = now();
      const mismatches = await transaction(deps.sql, async (tx) => {
        // Serialised with the risk reservation: an entry decided after this commits sees the lock.
        if (!(await lockAccount(tx, accountId))) throw new Error(`account ${accountId} does not exist`);
        const reported: ReportedMismatch[] = [];
        for (const finding of result.findings) {
          const { state, row } = await recordFinding(tx, accountId, finding, at);
          reported.push({ id: row.id, state, kind: row.kind, instrumentKey: row.instrumentKey, ref: row.ref, ours: finding.ours, theirs: finding.theirs });
          if (state !== 'NEW') continue;
          await deps.audit.append(tx, {
            type: 'RECONCILIATION_MISMATCH',
            actor,
            accountId,
            workflowId,
            runId,
            payload: {
              mismatchId: row.id,
              kind: finding.kind,
              instrument: finding.instrument,
              instrumentKey: finding.instrumentKey,
              ours: finding.ours,
              theirs: finding.theirs,
              ref: finding.ref || undefined,
              details: finding.details,
              broker: deps.broker.name,
              requestedBy,
            },
          });
        }
        await clearAbsent(tx, accountId, result.checked, result.findings, at);
        return reported;
      });

      for (const m of mismatches.filter((x) => x.state === 'NEW')) {
        deps.log.error(
          { alert: 'reconciliation_mismatch', accountId, mismatchId: m.id, kind: m.kind, instrument: m.instrumentKey, ours: m.ours, theirs: m.theirs, ref: m.ref || undefined },
          `reconciliation: ${m.kind} mismatch on ${m.instrumentKey} (ours ${m.ours}, broker ${m.theirs}); new entries there are locked until an operator resolves it`,
        );
      }
      return { accountId, checked: result.checked, skipped: result.skipped, mismatches };
    },
  };
}
