/**
 * The snapshot as metric samples: what Prometheus scrapes and what alert rules are written over.
 * The catalog names every metric with its help text and labels; `deploy/grafana` and
 * `deploy/prometheus` use these names.
 *
 * @module
 */
import type { MetricSample } from '../domain/alerts/evaluate.ts';
import type { MonitoringSnapshot } from './snapshot.ts';

export const METRIC_CATALOG = {
  breeze_trading_halted: { help: 'Trading state is HALTED (1) or not (0), per account', labels: ['account'] },
  breeze_trading_state: { help: 'Current trading state per account (1 for the state it is in)', labels: ['account', 'state'] },
  breeze_open_positions: { help: 'Open positions (trades OPEN or EXITING) per account', labels: ['account'] },
  breeze_exposure_rupees: { help: 'Value of open positions at the last price, in rupees', labels: ['account'] },
  breeze_pnl_realized_rupees: { help: 'Realized P&L of the IST day, gross or net of charges, in rupees', labels: ['account', 'basis'] },
  breeze_pnl_unrealized_rupees: { help: 'Unrealized P&L of open positions, gross or net of charges paid, in rupees', labels: ['account', 'basis'] },
  breeze_daily_loss_rupees: { help: 'Loss of the IST day (realized net plus unrealized), in rupees', labels: ['account'] },
  breeze_daily_loss_limit_rupees: { help: 'Daily loss limit in force, in rupees', labels: ['account'] },
  breeze_daily_loss_limit_ratio: { help: 'Daily loss as a fraction of its limit', labels: ['account'] },
  breeze_orders_today: { help: 'Broker legs created this IST day, by status', labels: ['status'] },
  breeze_risk_rejections_today: { help: 'Risk rule violations of trades rejected this IST day, by rule', labels: ['rule'] },
  breeze_audit_chain_ok: { help: 'Result of the last periodic audit chain verification (1 ok, 0 broken)', labels: [] },
  breeze_audit_chain_verified_timestamp_seconds: { help: 'When the audit chain was last verified (Unix seconds)', labels: [] },
  breeze_audit_head_seq: { help: 'Sequence number of the newest audit record', labels: [] },
  breeze_audit_head_age_seconds: { help: 'Age of the newest audit record', labels: [] },
  breeze_backup_last_success_timestamp_seconds: { help: 'Newest backup written, per kind (Unix seconds)', labels: ['kind'] },
  breeze_backup_last_verified_timestamp_seconds: { help: 'Newest backup restored and compared, per kind (Unix seconds)', labels: ['kind'] },
  breeze_backup_stale: { help: 'No verified backup within the kind\'s schedule (1) or fine (0)', labels: ['kind'] },
  breeze_backup_last_failed: { help: 'The newest finished backup of the kind failed (1) or not (0)', labels: ['kind'] },
  breeze_broker_calls_5m: { help: 'Broker calls of all workers in the last 5 minutes', labels: [] },
  breeze_broker_errors_5m: { help: 'Failed broker calls of all workers in the last 5 minutes', labels: [] },
  breeze_broker_error_ratio_5m: { help: 'Failed share of broker calls in the last 5 minutes (absent under 5 calls)', labels: [] },
  breeze_broker_session_expired: { help: 'The broker session expired and no call has succeeded since (1) or not (0)', labels: [] },
  breeze_reconciliation_mismatch_open: { help: 'A reconciliation mismatch was audited and not yet resolved (1) or not (0)', labels: [] },
  breeze_market_calendar_days_left: { help: 'Days until the first year without a loaded exchange calendar starts (absent when the current IST year has none); NSE hours only', labels: ['exchange'] },
  breeze_market_calendar_missing: { help: 'The current IST year has no loaded exchange calendar, so live orders are refused (1) or not (0); NSE hours only', labels: ['exchange'] },
  breeze_config_loosened_by_environment: { help: 'A start in the last day loosened risk settings through the environment, past the second-admin rule (1) or not (0)', labels: [] },
  breeze_task_queue_pollers: { help: 'Workers polling the trading task queue, by task type', labels: ['type'] },
  breeze_alerts_firing: { help: 'Alerts firing, by severity', labels: ['severity'] },
  breeze_alert_evaluation_timestamp_seconds: { help: 'When the alert evaluator last ran (Unix seconds)', labels: [] },
} as const satisfies Record<string, { help: string; labels: readonly string[] }>;

export type CatalogMetric = keyof typeof METRIC_CATALOG;

/** System gauges of every live process, as the evaluator sees them (from the heartbeats). */
export const SYSTEM_SAMPLE_NAMES = ['breeze_system_cpu_ratio', 'breeze_system_memory_ratio', 'breeze_disk_free_ratio', 'breeze_event_loop_lag_seconds'] as const;

const seconds = (iso: string | null) => (iso ? Date.parse(iso) / 1000 : undefined);

export function snapshotSamples(s: MonitoringSnapshot): MetricSample[] {
  const out: MetricSample[] = [];
  const add = (name: string, value: number | null | undefined, labels: Record<string, string> = {}) => {
    if (value !== null && value !== undefined && Number.isFinite(value)) out.push({ name, labels, value });
  };
  for (const a of s.accounts) {
    const account = { account: a.accountId };
    add('breeze_trading_halted', a.tradingState === 'HALTED' ? 1 : 0, account);
    for (const state of ['ACTIVE', 'REDUCING', 'HALTED']) add('breeze_trading_state', a.tradingState === state ? 1 : 0, { ...account, state });
    add('breeze_open_positions', a.openPositions, account);
    add('breeze_exposure_rupees', a.exposureRupees, account);
    add('breeze_pnl_realized_rupees', a.realized.gross, { ...account, basis: 'gross' });
    add('breeze_pnl_realized_rupees', a.realized.net, { ...account, basis: 'net' });
    add('breeze_pnl_unrealized_rupees', a.unrealized.gross, { ...account, basis: 'gross' });
    add('breeze_pnl_unrealized_rupees', a.unrealized.net, { ...account, basis: 'net' });
    add('breeze_daily_loss_rupees', a.dailyLoss.used, account);
    add('breeze_daily_loss_limit_rupees', a.dailyLoss.limit, account);
    add('breeze_daily_loss_limit_ratio', a.dailyLoss.ratio, account);
  }
  for (const [status, n] of Object.entries(s.ordersToday)) add('breeze_orders_today', n, { status });
  for (const [rule, n] of Object.entries(s.riskRejectionsToday)) add('breeze_risk_rejections_today', n, { rule });
  const v = s.audit.lastVerification;
  if (v) {
    add('breeze_audit_chain_ok', v.ok ? 1 : 0);
    add('breeze_audit_chain_verified_timestamp_seconds', seconds(v.at));
  }
  add('breeze_audit_head_seq', s.audit.headSeq);
  add('breeze_audit_head_age_seconds', s.audit.headAgeSeconds);
  for (const b of s.backups.kinds) {
    add('breeze_backup_last_success_timestamp_seconds', seconds(b.lastSuccessAt), { kind: b.kind });
    add('breeze_backup_last_verified_timestamp_seconds', seconds(b.lastVerifiedAt), { kind: b.kind });
    add('breeze_backup_stale', b.stale ? 1 : 0, { kind: b.kind });
    add('breeze_backup_last_failed', b.failed ? 1 : 0, { kind: b.kind });
  }
  add('breeze_broker_calls_5m', s.broker.calls5m);
  add('breeze_broker_errors_5m', s.broker.errors5m);
  add('breeze_broker_error_ratio_5m', s.broker.errorRatio5m);
  add('breeze_broker_session_expired', s.broker.sessionExpired ? 1 : 0);
  add('breeze_reconciliation_mismatch_open', s.reconciliation.mismatchOpen ? 1 : 0);
  out.push(...calendarSamples(s.calendar));
  add('breeze_config_loosened_by_environment', s.configLoosenedAt ? 1 : 0);
  add('breeze_task_queue_pollers', s.taskQueue.workflowPollers, { type: 'workflow' });
  add('breeze_task_queue_pollers', s.taskQueue.activityPollers, { type: 'activity' });
  for (const [severity, n] of Object.entries(s.alerts.firing)) add('breeze_alerts_firing', n, { severity });
  add('breeze_alert_evaluation_timestamp_seconds', seconds(s.alerts.lastEvaluationAt));
  return out;
}

/** The calendar's reach per exchange: days left while the current year is loaded, else missing. */
export function calendarSamples(calendar: MonitoringSnapshot['calendar']): MetricSample[] {
  return (calendar ?? []).flatMap((c) => [
    { name: 'breeze_market_calendar_missing', labels: { exchange: c.exchange }, value: c.currentYearLoaded ? 0 : 1 },
    ...(c.currentYearLoaded ? [{ name: 'breeze_market_calendar_days_left', labels: { exchange: c.exchange }, value: c.daysLeft }] : []),
  ]);
}

/** Per-process system samples (from heartbeats): alert input only, each process exports its own. */
export function processSamples(s: MonitoringSnapshot): MetricSample[] {
  const out: MetricSample[] = [];
  for (const p of s.processes) {
    const labels = { source: p.source, kind: p.kind };
    const values = [p.cpuRatio, p.memoryRatio, p.diskFreeRatio, p.eventLoopLagSeconds];
    SYSTEM_SAMPLE_NAMES.forEach((name, i) => {
      const value = values[i];
      if (value !== null && value !== undefined) out.push({ name, labels, value });
    });
  }
  return out;
}
