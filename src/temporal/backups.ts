/**
 * Client side of the backup workflow: start a backup now (POST /backup/run), with the same
 * options the schedules use.
 *
 * @module
 */
import type { Client } from '@temporalio/client';
import type { Actor } from '../audit/events.ts';
import type { Config } from '../config.ts';
import type { BackupKind } from '../domain/backups.ts';
import type { BackupWorkflowInput } from '../workflows/backup.ts';

export const BACKUP_WORKFLOW = 'backupWorkflow';

/** The execution timeout every backup run gets (schedules and manual runs alike). */
export function backupExecutionTimeout(config: Config): string {
  return `${config.backup.BACKUP_TIMEOUT_MIN} minutes`;
}

/** One manual run of a kind at a time: asking again while it runs joins the running one. */
export function manualBackupWorkflowId(config: Config, kind: BackupKind): string {
  return `${config.temporal.TEMPORAL_TASK_QUEUE}-backup-run-${kind}`;
}

export async function startBackupNow(client: Client, config: Config, kind: BackupKind, requestedBy: Actor): Promise<{ workflowId: string; runId: string }> {
  const input: BackupWorkflowInput = { kind, requestedBy };
  const handle = await client.workflow.start(BACKUP_WORKFLOW, {
    workflowId: manualBackupWorkflowId(config, kind),
    taskQueue: config.temporal.TEMPORAL_TASK_QUEUE,
    args: [input],
    workflowExecutionTimeout: backupExecutionTimeout(config),
    workflowIdConflictPolicy: 'USE_EXISTING',
    workflowIdReusePolicy: 'ALLOW_DUPLICATE',
  });
  return { workflowId: handle.workflowId, runId: handle.firstExecutionRunId };
}
