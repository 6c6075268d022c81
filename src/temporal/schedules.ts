/**
 * The backup schedules (daily after the market closes, weekly, monthly), created at worker start
 * and brought in line with the settings on every start: create, and when the schedule exists
 * (`ScheduleAlreadyRunning`), update its spec, action and policies. A pause set by an operator is
 * left as it is.
 *
 * Policies are set explicitly (docs/temporal-notes.md#schedules): overlap SKIP — a backup still running
 * when the
 * next is due makes that one redundant, and the execution timeout guarantees the running one
 * ends; catch-up window one day — a backup missed while Temporal was down is taken when it comes
 * back, unless the next one is due anyway; pauseOnFailure off — one failed night must not stop
 * the next.
 *
 * @module
 */
import { type Client, ScheduleAlreadyRunning, type ScheduleOptionsAction, ScheduleOverlapPolicy, type ScheduleSpec } from '@temporalio/client';
import type { ScheduleState } from '../backup/status.ts';
import type { Config } from '../config.ts';
import { SCHEDULED_KINDS, type ScheduledKind } from '../domain/backups.ts';
import { parseHhmm } from '../domain/market-calendar.ts';
import type { BackupWorkflowInput } from '../workflows/backup.ts';
import { BACKUP_WORKFLOW, backupExecutionTimeout } from './backups.ts';

/** NSE and BSE keep Indian Standard Time; schedule times are IST wall-clock times. */
export const BACKUP_TIMEZONE = 'Asia/Kolkata';
const CATCHUP_WINDOW = '1 day';

/** Unique per deployment: the task queue names the deployment within a namespace. */
export function backupScheduleId(config: Config, kind: ScheduledKind): string {
  return `${config.temporal.TEMPORAL_TASK_QUEUE}-backup-${kind}`;
}

function at(hhmm: string): { hour: number; minute: number } {
  const minutes = parseHhmm(hhmm);
  return { hour: Math.floor(minutes / 60), minute: minutes % 60 };
}

export function backupScheduleSpec(config: Config, kind: ScheduledKind): ScheduleSpec {
  switch (kind) {
    case 'daily':
      return { calendars: [{ ...at(config.backup.BACKUP_DAILY_TIME), comment: 'daily backup, after the market closes' }], timezone: BACKUP_TIMEZONE };
    case 'weekly':
      return { calendars: [{ ...at(config.backup.BACKUP_WEEKLY_TIME), dayOfWeek: config.backup.BACKUP_WEEKLY_DAY, comment: 'weekly backup' }], timezone: BACKUP_TIMEZONE };
    case 'monthly':
      return { calendars: [{ ...at(config.backup.BACKUP_MONTHLY_TIME), dayOfMonth: config.backup.BACKUP_MONTHLY_DAY, comment: 'monthly backup' }], timezone: BACKUP_TIMEZONE };
  }
}

function backupAction(config: Config, kind: ScheduledKind): ScheduleOptionsAction {
  const input: BackupWorkflowInput = { kind };
  return {
    type: 'startWorkflow',
    workflowType: BACKUP_WORKFLOW,
    workflowId: backupScheduleId(config, kind),
    taskQueue: config.temporal.TEMPORAL_TASK_QUEUE,
    args: [input],
    workflowExecutionTimeout: backupExecutionTimeout(config),
  };
}

const POLICIES = { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: CATCHUP_WINDOW, pauseOnFailure: false } as const;

/** Create the three backup schedules, or update them to the current settings; idempotent. */
export async function ensureBackupSchedules(client: Client, config: Config): Promise<{ created: string[]; updated: string[] }> {
  const created: string[] = [];
  const updated: string[] = [];
  for (const kind of SCHEDULED_KINDS) {
    const scheduleId = backupScheduleId(config, kind);
    const spec = backupScheduleSpec(config, kind);
    const action = backupAction(config, kind);
    try {
      await client.schedule.create({ scheduleId, spec, action, policies: POLICIES });
      created.push(scheduleId);
    } catch (err) {
      if (!(err instanceof ScheduleAlreadyRunning)) throw err;
      await client.schedule.getHandle(scheduleId).update((previous) => ({ spec, action, policies: POLICIES, state: previous.state }));
      updated.push(scheduleId);
    }
  }
  return { created, updated };
}

/** What the schedule of a kind says about itself, or `undefined` when it does not exist or Temporal does not answer. */
export async function describeBackupSchedule(client: Client, config: Config, kind: ScheduledKind): Promise<ScheduleState | undefined> {
  const scheduleId = backupScheduleId(config, kind);
  try {
    const description = await client.schedule.getHandle(scheduleId).describe();
    return {
      scheduleId,
      paused: description.state.paused,
      nextRunAt: description.info.nextActionTimes[0]?.toISOString() ?? null,
      recentRuns: description.info.recentActions.map((a) => ({ scheduledAt: a.scheduledAt.toISOString(), workflowId: a.action.workflow.workflowId })),
    };
  } catch {
    return undefined;
  }
}
