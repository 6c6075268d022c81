/**
 * What an alert rule is, and the built-in rules. A rule is a condition over one metric — name,
 * label matchers, comparison, threshold — that must hold for a duration before it fires: the same
 * shape as a Prometheus alerting rule (`deploy/prometheus/alert-rules.yml` mirrors these), kept
 * small enough to evaluate without an expression engine and without `eval`.
 *
 * @module
 */

export const SEVERITIES = ['info', 'warning', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];

export const COMPARISONS = ['>', '>=', '<', '<=', '==', '!='] as const;
export type Comparison = (typeof COMPARISONS)[number];

export interface AlertRule {
  /** Stable id: alert state, history and overrides refer to it. */
  id: string;
  metric: string;
  /** Label equality matchers: the rule looks only at series carrying these labels. */
  match: Record<string, string>;
  op: Comparison;
  threshold: number;
  /** The condition must hold this long before the alert fires (0: at once). */
  forSeconds: number;
  severity: Severity;
  summary: string;
}

/** `value op threshold`; NaN never satisfies a condition (an unknown value is not an alarm). */
export function compare(op: Comparison, value: number, threshold: number): boolean {
  if (Number.isNaN(value)) return false;
  switch (op) {
    case '>':
      return value > threshold;
    case '>=':
      return value >= threshold;
    case '<':
      return value < threshold;
    case '<=':
      return value <= threshold;
    case '==':
      return value === threshold;
    case '!=':
      return value !== threshold;
  }
}

export interface BuiltinSettings {
  /** Pollers each task-queue type must have (ALERT_MIN_WORKERS). */
  minWorkers: number;
  /** The broker's daily call budget (BROKER_CALLS_PER_DAY), when its client counts calls. */
  brokerCallsPerDay?: number | undefined;
}

const rule = (id: string, metric: string, op: Comparison, threshold: number, forSeconds: number, severity: Severity, summary: string): AlertRule => ({
  id,
  metric,
  match: {},
  op,
  threshold,
  forSeconds,
  severity,
  summary,
});

/**
 * The rules every deployment has. A rules file may change any of them by id (threshold, duration,
 * severity) or disable it.
 */
export function builtinRules(s: BuiltinSettings): AlertRule[] {
  return [
    rule('cpu_high', 'breeze_system_cpu_ratio', '>', 0.9, 300, 'warning', 'CPU above 90% for 5 minutes'),
    rule('memory_high', 'breeze_system_memory_ratio', '>', 0.9, 60, 'warning', 'Memory above 90%'),
    rule('disk_low', 'breeze_disk_free_ratio', '<', 0.1, 0, 'critical', 'Disk free under DATA_DIR below 10%'),
    rule('daily_loss_near_limit', 'breeze_daily_loss_limit_ratio', '>=', 0.8, 0, 'critical', 'Daily loss at 80% of the limit'),
    rule('circuit_breaker_tripped', 'breeze_trading_halted', '==', 1, 0, 'critical', 'Circuit breaker tripped: trading halted'),
    rule('backup_stale', 'breeze_backup_stale', '==', 1, 0, 'warning', 'No verified backup within its schedule'),
    rule('backup_failed', 'breeze_backup_last_failed', '==', 1, 0, 'critical', 'The newest backup failed or failed verification'),
    rule('audit_chain_broken', 'breeze_audit_chain_ok', '==', 0, 0, 'critical', 'Audit chain verification failed'),
    rule('broker_error_rate', 'breeze_broker_error_ratio_5m', '>', 0.2, 60, 'warning', 'More than 20% of broker calls failing'),
    rule('broker_session_expired', 'breeze_broker_session_expired', '==', 1, 0, 'critical', 'Broker session expired: set a new session'),
    rule('worker_not_polling', 'breeze_task_queue_pollers', '<', s.minWorkers, 60, 'critical', 'Worker not polling its task queue'),
    rule('reconciliation_mismatch', 'breeze_reconciliation_mismatch_open', '==', 1, 0, 'critical', 'Reconciliation mismatch with the broker'),
    {
      ...rule('broker_budget_low', 'breeze_broker_rate_budget_remaining', '<', Math.round(0.2 * (s.brokerCallsPerDay ?? 5000)), 0, 'warning', "Under 20% of the broker's daily call budget left: polls and quotes stop first, then orders"),
      match: { window: 'day' },
    },
    // NSE publishes the next year's holidays in December (docs/indian-market.md#the-calendar-as-data).
    rule('market_calendar_expiring', 'breeze_market_calendar_days_left', '<=', 30, 0, 'warning', 'A year starts within 30 days without its exchange calendar: load it (PUT /market/calendar/{year})'),
    rule('market_calendar_missing', 'breeze_market_calendar_missing', '==', 1, 0, 'critical', 'No exchange calendar for the current year: live orders are refused (MARKET_CALENDAR_MISSING)'),
    rule('config_loosened_by_environment', 'breeze_config_loosened_by_environment', '==', 1, 0, 'critical', 'Risk settings loosened through the environment at start, without a second admin (CONFIG_CHANGED)'),
    rule('alert_rules_invalid', 'breeze_alert_rules_invalid', '==', 1, 0, 'warning', 'The alert rules file is invalid: built-in rules only'),
  ];
}
