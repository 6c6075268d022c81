/**
 * The Temporal Schedule of the day's report (DAILY_REPORT_TIME IST, 15:45 by default: after the
 * 15:30 close), created at worker start idempotently: an existing schedule is brought in line with
 * the settings and an operator's pause is kept. It fires every day; the run itself looks at the
 * exchange calendar and sends nothing on a day the exchange is closed. Policies are explicit
 * (docs/temporal-notes.md#schedules): overlap SKIP, a one-day catch-up window, pauseOnFailure off.
 *
 * @module
 */
import { type Client, ScheduleAlreadyRunning, type ScheduleOptions, ScheduleOverlapPolicy } from '@temporalio/client';
import type { Config } from '../config.ts';
import { parseHhmm } from '../domain/market-calendar.ts';
import type { DailyReportInput } from '../workflows/daily-report.ts';

export const DAILY_REPORT_WORKFLOW = 'dailyReportWorkflow';

/** Unique per deployment: the task queue names the deployment within a namespace. */
export function dailyReportScheduleId(config: Config): string {
  return `${config.temporal.TEMPORAL_TASK_QUEUE}-daily-report`;
}

export function dailyReportScheduleOptions(config: Config): ScheduleOptions {
  const minutes = parseHhmm(config.alerts.DAILY_REPORT_TIME);
  const input: DailyReportInput = {};
  return {
    scheduleId: dailyReportScheduleId(config),
    spec: { calendars: [{ hour: Math.floor(minutes / 60), minute: minutes % 60, comment: "day's report, after the close (IST)" }], timezone: 'Asia/Kolkata' },
    action: { type: 'startWorkflow', workflowType: DAILY_REPORT_WORKFLOW, workflowId: dailyReportScheduleId(config), args: [input], taskQueue: config.temporal.TEMPORAL_TASK_QUEUE, workflowExecutionTimeout: '2 hours' },
    policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '1 day', pauseOnFailure: false },
  };
}

export async function ensureDailyReportSchedule(client: Client, config: Config): Promise<void> {
  const options = dailyReportScheduleOptions(config);
  try {
    await client.schedule.create(options);
  } catch (err) {
    if (!(err instanceof ScheduleAlreadyRunning)) throw err;
    await client.schedule.getHandle(options.scheduleId).update((previous) => ({ ...previous, spec: options.spec, action: options.action, policies: options.policies }));
  }
}
