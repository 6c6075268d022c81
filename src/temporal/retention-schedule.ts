/**
 * The Temporal Schedule of the daily retention cleanup, created at worker start (idempotently:
 * an existing schedule is updated to the current settings). Overlap SKIP (a run still going makes
 * the next one wait a day) and a one-day catch-up window are set explicitly
 * (docs/temporal-notes.md#schedules).
 *
 * @module
 */
import { type Client, ScheduleAlreadyRunning, ScheduleOverlapPolicy, type ScheduleOptions } from '@temporalio/client';
import type { Config } from '../config.ts';

export const RETENTION_SCHEDULE_ID = 'retention-daily';

export function retentionScheduleOptions(config: Config): ScheduleOptions {
  const [hour, minute] = config.retention.RETENTION_TIME.split(':').map(Number);
  return {
    scheduleId: RETENTION_SCHEDULE_ID,
    spec: { calendars: [{ hour: hour!, minute: minute!, comment: 'after market close (IST)' }], timezone: 'Asia/Kolkata' },
    action: { type: 'startWorkflow', workflowType: 'retentionWorkflow', args: [], taskQueue: config.temporal.TEMPORAL_TASK_QUEUE, workflowExecutionTimeout: '6 hours' },
    policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '1 day', pauseOnFailure: false },
  };
}

export async function ensureRetentionSchedule(client: Client, config: Config): Promise<void> {
  const options = retentionScheduleOptions(config);
  try {
    await client.schedule.create(options);
  } catch (err) {
    if (!(err instanceof ScheduleAlreadyRunning)) throw err;
    await client.schedule.getHandle(options.scheduleId).update((previous) => ({ ...previous, spec: options.spec, action: options.action, policies: options.policies }));
  }
}
