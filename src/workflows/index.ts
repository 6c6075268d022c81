/**
 * The workflow bundle's entry: every workflow the worker runs. (The one deliberate barrel: the
 * bundler needs a single module.)
 *
 * @module
 */
export { backupWorkflow } from './backup.ts';
export { circuitBreakerWorkflow } from './circuit-breaker.ts';
export { reconciliationWorkflow } from './reconciliation.ts';
export { retentionWorkflow } from './retention.ts';
export { tradeWorkflow } from './trade.ts';
export { alertDeliveryWorkflow } from './alert-delivery.ts';
export { alertEvaluatorWorkflow } from './alert-evaluator.ts';
export { dailyLossGuardWorkflow } from './daily-loss-guard.ts';
export { basketWorkflow } from './basket.ts';
export { dailyReportWorkflow } from './daily-report.ts';
export { tradingViewAlertWorkflow } from './tradingview-alert.ts';
