/**
 * Reconciliation of the broker's book with ours, account by account: on a Temporal Schedule (every
 * RECONCILIATION_INTERVAL_MIN, while the market is open), once at worker start, and on demand
 * (POST /reconciliation/run). Every effect is in the activities; one account failing does not keep
 * the others from being reconciled.
 *
 * @module
 */
import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities/index.ts';
import type { AccountReconciliation } from '../activities/reconciliation.ts';
import type { Actor } from '../audit/events.ts';
import { failureMessage } from './failures.ts';

const act = proxyActivities<Activities>({
  startToCloseTimeout: '2 minutes',
  // A few tries, then the account is reported as failed: the next round comes within minutes.
  retry: { initialInterval: '5 seconds', backoffCoefficient: 2, maximumInterval: '30 seconds', maximumAttempts: 3 },
});

export interface ReconciliationInput {
  /** Accounts to reconcile; every account when absent. */
  accountIds?: string[] | undefined;
  /** Who asked, for manual runs and the run at worker start. */
  requestedBy?: Actor | undefined;
  /** Run even while the market is closed (scheduled runs skip those hours). */
  anyTime?: boolean | undefined;
}

export interface ReconciliationSummary {
  /** Why nothing was reconciled (scheduled runs while the market is closed). */
  skipped?: string | undefined;
  accounts: AccountReconciliation[];
}

export async function reconciliationWorkflow(input: ReconciliationInput = {}): Promise<ReconciliationSummary> {
  let accountIds = input.accountIds;
  if (!accountIds) {
    const plan = await act.reconciliationAccounts(input.anyTime ?? false);
    if (plan.skipped) return { skipped: plan.skipped, accounts: [] };
    accountIds = plan.accountIds;
  }
  const accounts: AccountReconciliation[] = [];
  for (const accountId of accountIds) {
    try {
      accounts.push(await act.reconcileAccount(accountId, input.requestedBy));
    } catch (err) {
      accounts.push({ accountId, checked: [], skipped: [], mismatches: [], error: failureMessage(err) });
    }
  }
  return { accounts };
}
