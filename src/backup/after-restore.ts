/**
 * What runs after a restore has committed. A restore rewinds trades, orders and positions to the
 * backup's snapshot, while the broker kept everything that happened since: those open trades
 * must be reconciled before trading resumes. Reconciliation is its own piece of work (another
 * issue); it plugs in here, and until it does the restore prints the instructions and leaves
 * every account HALTED.
 *
 * @module
 */
import type { Sql } from '../db/pool.ts';
import type { Logger } from '../config/logger.ts';
import type { Manifest } from './manifest.ts';
import type { RestoreResult } from './restore.ts';

export interface RestoredContext {
  sql: Sql;
  manifest: Manifest;
  result: RestoreResult;
  log: Logger;
}

export interface AfterRestoreHook {
  name: string;
  /** Returns a line for the operator, or nothing. */
  run(context: RestoredContext): Promise<string | void>;
}

/**
 * The hooks `npm run restore` runs, in order. Reconciliation of open trades with the broker
 * (issue: reconciliation) belongs here: compare the restored trades and positions with the
 * broker's order book and positions since `manifest.snapshotAt`, and record what differs.
 */
export const AFTER_RESTORE_HOOKS: readonly AfterRestoreHook[] = [];

export function reconciliationNotice(manifest: Manifest, result: RestoreResult): string[] {
  const kept = result.audit.keptAfterBackup;
  return [
    `Trading is HALTED for every account. Open trades must be reconciled with the broker before trading resumes:`,
    `  orders, fills and positions after ${manifest.snapshotAt} may exist at the broker but not in the restored tables.`,
    kept > 0
      ? `  The audit trail kept the ${kept} records written after the backup (seq ${result.audit.headBefore.seq - kept + 1}..${result.audit.headBefore.seq}): start from GET /audit.`
      : `  The audit trail has nothing after the backup: ask the broker for the day's order book and positions.`,
    `  Resume with POST /risk/resume only once the book matches.`,
  ];
}
