/**
 * The backup workflow, started by the daily, weekly and monthly schedules and by POST
 * /backup/run: write a backup, verify it by restoring it into a scratch database, then apply
 * retention. A backup that fails to write or to verify is recorded (and audited) as such and the
 * run fails, so the schedule's recent actions show it; only a verified backup counts as good.
 *
 * Started with a workflow execution timeout (BACKUP_TIMEOUT_MIN): a run that hangs must not keep
 * a SKIP-overlap schedule from ever starting the next one (docs/temporal-notes.md#schedules).
 *
 * @module
 */
import { ApplicationFailure, log, proxyActivities, uuid4 } from '@temporalio/workflow';
import type { Activities } from '../activities/index.ts';
import type { Actor } from '../audit/events.ts';
import { backupIdFor, type BackupKind } from '../domain/backups.ts';
import { failureMessage } from './failures.ts';

/** Writing and verifying: long, so they heartbeat; a few attempts, each starting over. */
const heavy = proxyActivities<Activities>({
  startToCloseTimeout: '3 hours',
  heartbeatTimeout: '5 minutes',
  retry: { initialInterval: '30 seconds', backoffCoefficient: 2, maximumInterval: '10 minutes', maximumAttempts: 3 },
});

/** Recording an outcome (registry row and audit record): retried until it lands or the run times out. */
const bookkeeping = proxyActivities<Activities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

/** Retention: a few attempts; a failure is reported, and the next run tries again. */
const retention = proxyActivities<Activities>({
  startToCloseTimeout: '10 minutes',
  retry: { initialInterval: '5 seconds', backoffCoefficient: 2, maximumAttempts: 3 },
});

export interface BackupWorkflowInput {
  kind: BackupKind;
  /** Who asked, for a manual run (the audit records name them); schedules leave it out. */
  requestedBy?: Actor | undefined;
}

export interface BackupWorkflowResult {
  backupId: string;
  verified: boolean;
  rows: number;
  bytes: number;
  removed: string[];
  retentionError?: string | undefined;
}

export async function backupWorkflow(input: BackupWorkflowInput): Promise<BackupWorkflowResult> {
  const { kind, requestedBy } = input;
  // Deterministic: workflow time and the workflow's seeded uuid4.
  const backupId = backupIdFor(kind, new Date(), uuid4().slice(0, 8));

  let created;
  try {
    created = await heavy.createBackup({ backupId, kind, requestedBy });
  } catch (err) {
    const error = failureMessage(err);
    await bookkeeping.recordBackupFailed({ backupId, kind, requestedBy, error });
    throw ApplicationFailure.nonRetryable(`backup ${backupId} failed: ${error}`, 'backup-failed');
  }

  let verification;
  try {
    verification = await heavy.verifyBackup({ backupId, requestedBy });
  } catch (err) {
    const error = failureMessage(err);
    await bookkeeping.recordVerificationFailed({ backupId, error, requestedBy });
    verification = { backupId, ok: false, problems: [`verification could not run: ${error}`] };
  }

  // Retention runs even after a failed verification: it never removes the newest verified backup.
  let removed: string[] = [];
  let retentionError: string | undefined;
  try {
    ({ removed } = await retention.applyBackupRetention());
  } catch (err) {
    retentionError = failureMessage(err);
    log.error('backup retention failed', { backupId, error: retentionError });
  }

  if (!verification.ok) {
    throw ApplicationFailure.nonRetryable(`backup ${backupId} failed verification: ${verification.problems.slice(0, 3).join('; ')}`, 'backup-verification-failed');
  }
  return { backupId, verified: true, rows: created.rows, bytes: created.bytes, removed, retentionError };
}
