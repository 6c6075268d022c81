/**
 * Alert activities: one evaluation (read the snapshot, apply the rules to it, store the new
 * states and notifications, sample the P&L), the audit-chain walk, and the delivery of one
 * notification to one channel.
 *
 * @module
 */
import { rateBudgetOf } from '../broker/create.ts';
import { getAlertEvent, insertAlertEvents, loadAlertStates, markDispatched, recordDeliveryAttempt, recordEvaluation, saveAlertStates, undispatchedEvents, type AlertEventRow } from '../db/alerts.ts';
import { recordVerification } from '../db/audit-verifications.ts';
import { pruneMonitoring } from '../db/heartbeats.ts';
import { prunePnlSamples, recordPnlSample } from '../db/pnl-samples.ts';
import { transaction } from '../db/transaction.ts';
import { verifyChain } from '../audit/verify.ts';
import { evaluate, type MetricSample } from '../domain/alerts/evaluate.ts';
import { type AlertMessage, ChannelRejectedError } from '../observability/alerts/message.ts';
import { loadRules } from '../observability/alerts/rule-config.ts';
import { type AlertRule, builtinRules } from '../domain/alerts/rules.ts';
import { configuredChannels } from '../observability/alerts/channels/configured.ts';
import { processSamples, snapshotSamples } from '../observability/samples.ts';
import { readSnapshot } from '../observability/snapshot.ts';
import { type ActivityDeps, heartbeat } from './context.ts';

const DAY_MS = 86_400_000;

/** What one evaluation hands back to the workflow. */
export interface EvaluationOutcome {
  firing: number;
  /** Notifications whose deliveries are still to be started (this run's and any left over). */
  notifications: AlertMessage[];
  channels: string[];
  /** The worker's settings, so a changed setting applies without restarting the workflow. */
  intervalSeconds: number;
  auditVerifyIntervalSeconds: number;
  delivery: DeliveryPolicy;
  /** The trading task queue: delivery workflow ids carry it (unique per deployment, and recorded for replay). */
  taskQueue: string;
}

export interface DeliveryPolicy {
  giveUpHours: number;
  maxRetrySeconds: number;
}

export function toAlertMessage(e: AlertEventRow): AlertMessage {
  return { eventId: e.id, alertKey: e.alertKey, ruleId: e.ruleId, status: e.status, severity: e.severity, summary: e.summary, labels: e.labels, value: e.value, occurredAt: e.occurredAt.toISOString() };
}

export function alertActivities(deps: ActivityDeps) {
  const { sql, config, log } = deps;
  const channels = configuredChannels(config, log);
  const clock = () => deps.now?.() ?? new Date();

  /** The rules in force; an invalid rules file falls back to the built-ins and says so. */
  async function rules(): Promise<{ rules: AlertRule[]; invalid: boolean }> {
    const builtins = builtinRules({ minWorkers: config.alerts.ALERT_MIN_WORKERS, brokerCallsPerDay: config.broker.BROKER_CALLS_PER_DAY });
    try {
      return { rules: await loadRules(builtins, { file: config.alerts.ALERT_RULES_FILE, env: config.alerts.ALERT_RULES }), invalid: false };
    } catch (err) {
      log.error({ err: err instanceof Error ? err.message : err }, 'alert rules invalid: evaluating the built-in rules only');
      return { rules: builtins, invalid: true };
    }
  }

  /** The shared broker budget left, for brokers that count their calls. */
  const remainingBudget = rateBudgetOf(deps.broker);
  async function brokerBudgetSamples(): Promise<MetricSample[]> {
    const budget = await remainingBudget?.().catch(() => undefined);
    if (!budget) return [];
    const broker = deps.broker.name;
    return [
      { name: 'breeze_broker_rate_budget_remaining', labels: { broker, window: 'minute' }, value: budget.minuteLeft },
      { name: 'breeze_broker_rate_budget_remaining', labels: { broker, window: 'day' }, value: budget.dayLeft },
    ];
  }

  return {
    async evaluateAlerts(): Promise<EvaluationOutcome> {
      const now = clock();
      const snapshot = await readSnapshot({ sql, config, temporal: deps.temporal }, now);
      const inForce = await rules();
      const samples: MetricSample[] = [...snapshotSamples(snapshot), ...processSamples(snapshot), ...(await brokerBudgetSamples()), { name: 'breeze_alert_rules_invalid', labels: {}, value: inForce.invalid ? 1 : 0 }];
      const result = evaluate(inForce.rules, samples, await loadAlertStates(sql), now.getTime(), config.alerts.ALERT_COOLDOWN_S * 1000);
      await transaction(sql, async (tx) => {
        await saveAlertStates(tx, result.changed, result.removed);
        await insertAlertEvents(tx, result.notifications, now);
        await recordEvaluation(tx, now, inForce.rules.length, result.firing);
        for (const a of snapshot.accounts) {
          await recordPnlSample(tx, a.accountId, { at: now, realizedPaise: Math.round(a.realized.net * 100), unrealizedPaise: Math.round(a.unrealized.gross * 100) });
        }
      });
      await prunePnlSamples(sql, new Date(now.getTime() - 7 * DAY_MS));
      await pruneMonitoring(sql, new Date(now.getTime() - DAY_MS));
      const pending = await undispatchedEvents(sql);
      return {
        firing: result.firing,
        notifications: pending.map(toAlertMessage),
        channels: [...channels.keys()],
        intervalSeconds: config.alerts.ALERT_EVAL_INTERVAL_S,
        auditVerifyIntervalSeconds: config.alerts.AUDIT_VERIFY_INTERVAL_S,
        delivery: { giveUpHours: config.alerts.ALERT_DELIVERY_GIVE_UP_H, maxRetrySeconds: config.alerts.ALERT_RETRY_MAX_S },
        taskQueue: config.temporal.TEMPORAL_TASK_QUEUE,
      };
    },

    async markAlertsDispatched(eventIds: number[]): Promise<void> {
      await markDispatched(sql, eventIds);
    },

    /** Send one notification to one channel; throws (and Temporal retries) while the channel is down. */
    async deliverAlert(channelName: string, message: AlertMessage): Promise<void> {
      const channel = channels.get(channelName);
      if (!channel) throw new ChannelRejectedError(channelName, 'not configured on this worker');
      try {
        await channel.send(message);
      } catch (err) {
        await recordDeliveryAttempt(sql, message.eventId, channelName, { delivered: false, error: err instanceof Error ? err.message : String(err), final: false }).catch(() => undefined);
        throw err;
      }
      await recordDeliveryAttempt(sql, message.eventId, channelName, { delivered: true });
    },

    /** The delivery gave up (refused, or retried past ALERT_DELIVERY_GIVE_UP_H). */
    async recordAlertDeliveryFailed(eventId: number, channelName: string, reason: string): Promise<void> {
      if (!(await getAlertEvent(sql, eventId))) return;
      await recordDeliveryAttempt(sql, eventId, channelName, { delivered: false, error: reason, final: true });
      log.error({ alertId: eventId, channel: channelName, reason }, 'alert delivery failed for good');
    },

    /** Walk the whole audit chain and keep the result for scrapes and the audit_chain_broken rule. */
    async verifyAuditChain(): Promise<{ ok: boolean; records: number }> {
      const startedAt = clock();
      const result = await verifyChain(sql, { onProgress: (checked, head) => heartbeat({ checked, head }) });
      await recordVerification(sql, {
        startedAt,
        finishedAt: clock(),
        ok: result.ok,
        records: result.records,
        headSeq: result.headSeq,
        firstBadSeq: result.firstBadRecord?.seq ?? null,
        reason: result.firstBadRecord?.reason ?? null,
      });
      if (!result.ok) log.error({ firstBadRecord: result.firstBadRecord }, 'audit chain verification failed');
      return { ok: result.ok, records: result.records };
    },
  };
}

