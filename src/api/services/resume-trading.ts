/**
 * Resuming trading. After a restore the database may not know orders, fills and positions the
 * broker made after the backup's snapshot, so a halt written by the restore ends only once a
 * reconciliation run has compared the books and no mismatch is left unresolved. Any other halt
 * resumes at once (the breaker still enforces a halt's minimum hold).
 *
 * @module
 */
import type { Actor } from '../../audit/events.ts';
import { getAccount } from '../../db/accounts.ts';
import { listMismatches } from '../../db/reconciliation.ts';
import { ConflictError } from '../../domain/errors.ts';
import { resumeTrading } from '../../temporal/circuit-breaker.ts';
import { ensureDailyLossGuard } from '../../temporal/daily-loss-guard.ts';
import { runReconciliationNow } from '../../temporal/reconciliation-schedule.ts';
import type { BreakerState } from '../../workflows/messages.ts';
import type { AppDeps } from '../deps.ts';
import { fromTemporalError } from '../temporal-errors.ts';

/** The reason the restore gives the halts it writes (src/backup/trading-guard.ts). */
const RESTORE_HALT = 'RESTORE:';

export async function resumeAccount(deps: Pick<AppDeps, 'sql' | 'config' | 'temporal'>, accountId: string, requestedBy: Actor, requestId?: string): Promise<BreakerState> {
  const account = await getAccount(deps.sql, accountId);
  if (account?.tradingState === 'HALTED' && account.stateReason?.startsWith(RESTORE_HALT)) {
    let run;
    try {
      run = await runReconciliationNow(deps.temporal, deps.config, accountId, requestedBy, deps.config.reconciliation.RECONCILIATION_RUN_WAIT_MS);
    } catch (err) {
      throw fromTemporalError(err, 'the reconciliation workflow');
    }
    if (!run.done) throw new ConflictError('reconciliation-running', 'Trading was halted by a restore: the reconciliation with the broker is still running; resume once it is done', { workflowId: run.workflowId });
    const open = await listMismatches(deps.sql, accountId, 'open', 100);
    if (open.length) {
      throw new ConflictError('reconcile-first', `Trading was halted by a restore and the broker's book differs from ours: resolve the ${open.length} open mismatch(es) first (GET /reconciliation/mismatches)`, {
        mismatches: open.map((m) => m.id),
      });
    }
  }
  try {
    const state = await resumeTrading(deps.temporal, deps.config, accountId, { requestedBy, requestId });
    // A guard that tripped has ended, and entries into a held book ask for it only once a minute
    // (src/activities/risk.ts): positions kept through the halt are watched again from now.
    await ensureDailyLossGuard(deps.temporal, deps.config, accountId);
    return state;
  } catch (err) {
    throw fromTemporalError(err, 'the circuit breaker');
  }
}
