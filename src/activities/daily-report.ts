/**
 * The scheduled day's report: compute and store each account's report of an IST day, and record
 * each as one alert event (already dispatched, so the evaluator leaves it alone) whose deliveries
 * the workflow starts. A retried run stores the report again and reuses the event it recorded, so
 * a report is sent once per channel.
 *
 * @module
 */
import { listAccountIds } from '../db/accounts.ts';
import { loadDailyReport, tradesOn } from '../db/daily-report.ts';
import { saveDailyReport, setReportEvent } from '../db/reports.ts';
import { transaction } from '../db/transaction.ts';
import { reportSummary, reportText } from '../domain/report-text.ts';
import { paiseToRupees } from '../domain/money.ts';
import type { DailyReport } from '../domain/report.ts';
import { configuredChannels } from '../observability/alerts/channels/configured.ts';
import type { AlertMessage } from '../observability/alerts/message.ts';
import type { DeliveryPolicy } from './alerts.ts';
import type { ActivityDeps } from './context.ts';

export const DAILY_REPORT_RULE = 'daily-report';

export interface ReportRun {
  day: string;
  tradingDay: boolean;
  /** Accounts whose report was stored. */
  accounts: number;
  /** One message per account that traded that day. */
  messages: AlertMessage[];
  channels: string[];
  delivery: DeliveryPolicy;
  taskQueue: string;
}

function messageOf(r: DailyReport, eventId: number, occurredAt: Date): AlertMessage {
  return {
    eventId,
    alertKey: `${DAILY_REPORT_RULE}{account=${JSON.stringify(r.accountId)},day=${JSON.stringify(r.day)}}`,
    ruleId: DAILY_REPORT_RULE,
    status: 'RESOLVED',
    severity: 'info',
    summary: reportSummary(r),
    labels: { account: r.accountId, day: r.day },
    value: paiseToRupees(r.pnl.netPaise),
    occurredAt: occurredAt.toISOString(),
    kind: 'report',
    body: reportText(r),
  };
}

export function dailyReportActivities(deps: ActivityDeps) {
  const { sql, config, log } = deps;
  const channels = [...configuredChannels(config, log).keys()];
  const clock = () => deps.now?.() ?? new Date();

  return {
    /** Store every account's report of `day` (IST) and record the ones to send; nothing on a day the exchange is closed. */
    async prepareDailyReports(day: string): Promise<ReportRun> {
      const run: ReportRun = { day, tradingDay: await tradesOn(sql, config, day), accounts: 0, messages: [], channels, delivery: { giveUpHours: config.alerts.ALERT_DELIVERY_GIVE_UP_H, maxRetrySeconds: config.alerts.ALERT_RETRY_MAX_S }, taskQueue: config.temporal.TEMPORAL_TASK_QUEUE };
      if (!run.tradingDay) return run;
      for (const accountId of await listAccountIds(sql)) {
        const report = await loadDailyReport(sql, config, accountId, day);
        const now = clock();
        const message = await transaction(sql, async (tx) => {
          const { eventId } = await saveDailyReport(tx, report);
          if (!report.fills && !report.trades.closed) return undefined;
          if (eventId !== null) return messageOf(report, eventId, now);
          const m = messageOf(report, 0, now);
          const [row] = await tx<{ id: number }[]>`
            insert into alert_events (alert_key, rule_id, status, severity, summary, labels, value, occurred_at, dispatched_at)
            values (${m.alertKey}, ${m.ruleId}, ${m.status}, ${m.severity}, ${m.summary}, ${tx.json(m.labels)}, ${m.value}, ${now}, ${now}) returning id`;
          await setReportEvent(tx, accountId, day, row!.id);
          return { ...m, eventId: row!.id };
        });
        run.accounts++;
        if (message) run.messages.push(message);
      }
      log.info({ day, accounts: run.accounts, sent: run.messages.length }, "day's report prepared");
      return run;
    },
  };
}
