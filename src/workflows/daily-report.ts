/**
 * The day's report, on a Temporal Schedule after the close (DAILY_REPORT_TIME, 15:45 IST): one
 * activity computes and stores every account's report of the IST day and records a summary message
 * for each account that traded; each message then goes to every alert channel through the alert
 * delivery workflow (abandoned children, retried with backoff while a channel is down). On a day
 * the exchange is closed nothing is sent.
 *
 * @module
 */
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import * as wf from '@temporalio/workflow';
import type { ReportRun } from '../activities/daily-report.ts';
import type { Activities } from '../activities/index.ts';
import { istParts } from '../domain/market-calendar.ts';
import { alertDeliveryWorkflow } from './alert-delivery.ts';
import { alertDeliveryWorkflowId } from './alert-messages.ts';

const act = wf.proxyActivities<Activities>({
  startToCloseTimeout: '10 minutes',
  retry: { initialInterval: '10 seconds', backoffCoefficient: 2, maximumInterval: '5 minutes', maximumAttempts: 10 },
});

export interface DailyReportInput {
  /** IST date (YYYY-MM-DD); the IST date the run starts on when absent (the schedule). */
  day?: string | undefined;
}

export interface DailyReportSummary {
  day: string;
  tradingDay: boolean;
  accounts: number;
  sent: number;
}

export async function dailyReportWorkflow(input: DailyReportInput = {}): Promise<DailyReportSummary> {
  const day = input.day ?? istParts(new Date(wf.workflowInfo().startTime.getTime())).date;
  const run: ReportRun = await act.prepareDailyReports(day);
  for (const message of run.messages) {
    for (const channel of run.channels) {
      try {
        await wf.startChild(alertDeliveryWorkflow, {
          workflowId: alertDeliveryWorkflowId(run.taskQueue, message.eventId, channel),
          args: [{ channel, message, policy: run.delivery }],
          parentClosePolicy: 'ABANDON',
          // A report is sent once per channel: a second run of the same day finds its deliveries made.
          workflowIdReusePolicy: 'REJECT_DUPLICATE',
        });
      } catch (err) {
        // Started by an earlier attempt or run of the same day: that delivery is made or under way.
        if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
      }
    }
  }
  return { day, tradingDay: run.tradingDay, accounts: run.accounts, sent: run.messages.length };
}
