/**
 * One read of everything monitoring shows: per account the trading state, positions, exposure and
 * P&L; the day's orders and risk rejections; the audit chain (last periodic verification, head age);
 * backups; broker health across workers; task-queue pollers; each process's system gauges; and
 * the alerts. Prometheus gauges, GET /monitoring/metrics and the alert evaluator all derive from it,
 * so they never disagree.
 *
 * @module
 */
import type { Client } from '@temporalio/client';
import { sealBeforeRead } from '../audit/seal.ts';
import { type Config, defaultRiskLimits } from '../config.ts';
import { listAccountIds } from '../db/accounts.ts';
import { currentAlerts, lastEvaluation } from '../db/alerts.ts';
import { lastVerification } from '../db/audit-verifications.ts';
import { type BackupKindStatus, backupStatusByKind, installedAt } from '../db/backup-registry.ts';
import { type BackupKind, freshnessBaseline, isStale, SCHEDULED_KINDS } from '../domain/backups.ts';
import { readAccountPositions } from '../db/book.ts';
import { brokerWindow, freshHeartbeats } from '../db/heartbeats.ts';
import { auditHead, ordersByStatus, realizedByAccount, reconciliationStatus, rejectionsByRule } from '../db/monitoring.ts';
import type { Sql, TxSql } from '../db/pool.ts';
import { accountLimits } from '../db/risk-limits.ts';
import { consistentRead } from '../db/transaction.ts';
import { istDayStart } from '../domain/market-calendar.ts';
import { calendarDaysLeft, CASH_EXCHANGES, istYear } from '../domain/calendar/coverage.ts';
import { lastEnvironmentLoosening } from '../db/config-snapshots.ts';
import { loadedYears } from '../db/market-calendars.ts';
import { paiseToRupees } from '../domain/money.ts';
import { grossPnl, instrumentKey, openQuantity } from '../domain/trade.ts';
import { taskQueuePollers } from './task-queue-pollers.ts';

export interface AccountMetrics {
  accountId: string;
  tradingState: string;
  stateReason: string | null;
  openPositions: number;
  exposureRupees: number;
  realized: { gross: number; net: number };
  /** Net of the charges already paid on the open trades. */
  unrealized: { gross: number; net: number };
  dailyLoss: { used: number; limit: number; ratio: number };
}

export interface BackupKindMetrics {
  kind: string;
  lastSuccessAt: string | null;
  lastVerifiedAt: string | null;
  lastStatus: string | null;
  stale: boolean;
  failed: boolean;
}

export interface ProcessMetrics {
  source: string;
  kind: string;
  host: string;
  at: string;
  cpuRatio: number | null;
  memoryRatio: number | null;
  diskFreeRatio: number | null;
  eventLoopLagSeconds: number | null;
}

export interface MonitoringSnapshot {
  generatedAt: string;
  accounts: AccountMetrics[];
  ordersToday: Record<string, number>;
  riskRejectionsToday: Record<string, number>;
  audit: {
    headSeq: number;
    headAgeSeconds: number | null;
    lastVerification: { ok: boolean; at: string; records: number; firstBadSeq: number | null; reason: string | null } | null;
  };
  /** `available: false` when this database has no backup registry. */
  backups: { available: boolean; kinds: BackupKindMetrics[] };
  broker: { calls5m: number; errors5m: number; errorRatio5m: number | null; sessionExpired: boolean; lastSuccessAt: string | null };
  reconciliation: { mismatchOpen: boolean; lastMismatchAt: string | null; mismatchesToday: number };
  /** Pollers of the trading task queue; null when Temporal did not answer. */
  taskQueue: { name: string; workflowPollers: number | null; activityPollers: number | null };
  processes: ProcessMetrics[];
  alerts: { firing: Record<string, number>; pending: number; lastEvaluationAt: string | null };
  /** Per exchange, how far its loaded calendar reaches; null with MARKET_HOURS=always (no calendar is used). */
  calendar: { exchange: string; currentYearLoaded: boolean; daysLeft: number }[] | null;
  /** The newest start of the last day that loosened risk settings through the environment. */
  configLoosenedAt: string | null;
}

/** Broker error ratios over fewer calls than this say nothing (one failed call is 100%). */
const BROKER_MIN_CALLS = 5;
const BROKER_WINDOW_MS = 5 * 60_000;
/** A process whose heartbeat is older than this is gone. */
const HEARTBEAT_FRESH_MS = 2 * 60_000;

/**
 * Every scheduled kind, even one that has no backup yet: once its first run was due, no verified
 * backup is the stalest state there is; before that a new install is quiet (src/domain/backups.ts).
 */
function withScheduledKinds(rows: BackupKindStatus[] | undefined): BackupKindStatus[] {
  if (!rows) return [];
  const missing = SCHEDULED_KINDS.filter((kind) => !rows.some((r) => r.kind === kind));
  return [...rows, ...missing.map((kind) => ({ kind, lastSuccessAt: null, lastVerifiedAt: null, lastVerifiedSnapshotAt: null, lastStatus: null, lastFinishedAt: null }))];
}

export interface SnapshotDeps {
  sql: Sql;
  config: Pick<Config, 'risk' | 'temporal' | 'backup' | 'market'>;
  /** Without a client, pollers are reported as unknown. */
  temporal?: Client | undefined;
}

const iso = (d: Date | null | undefined) => (d ? d.toISOString() : null);
const rupees = (p: number) => paiseToRupees(Math.round(p));

async function accountMetrics(tx: TxSql, deps: SnapshotDeps, accountId: string, realized: Map<string, { grossPaise: number; netPaise: number }>): Promise<AccountMetrics | undefined> {
  const [held, limits] = await Promise.all([readAccountPositions(tx, accountId), accountLimits(tx, accountId, defaultRiskLimits(deps.config.risk))]);
  if (!held) return undefined;
  const { account, openTrades, prices } = held;
  let exposure = 0;
  let unrealizedGross = 0;
  let openCharges = 0;
  for (const t of openTrades) {
    const entry = t.entryPricePaise ?? 0;
    // A missing quote counts the position at its entry price: the best estimate there is.
    const last = prices.get(instrumentKey(t.instrument))?.pricePaise ?? entry;
    exposure += openQuantity(t) * last;
    unrealizedGross += grossPnl(t.side, openQuantity(t), entry, last);
    openCharges += t.chargesPaise;
  }
  const day = realized.get(account.id) ?? { grossPaise: 0, netPaise: 0 };
  const lossPaise = Math.max(0, -(day.netPaise + unrealizedGross));
  return {
    accountId: account.id,
    tradingState: account.tradingState,
    stateReason: account.stateReason,
    openPositions: openTrades.length,
    exposureRupees: rupees(exposure),
    realized: { gross: rupees(day.grossPaise), net: rupees(day.netPaise) },
    unrealized: { gross: rupees(unrealizedGross), net: rupees(unrealizedGross - openCharges) },
    dailyLoss: { used: rupees(lossPaise), limit: rupees(limits.dailyLossLimitPaise), ratio: limits.dailyLossLimitPaise > 0 ? lossPaise / limits.dailyLossLimitPaise : 0 },
  };
}

/**
 * Every account's figures from one snapshot of the database: read apart, a trade closing between
 * the day's realized P&L and the open book would count in neither (the daily-loss alert missed at
 * the moment the guard flattens) or in both.
 */
async function accountsMetrics(deps: SnapshotDeps, dayStart: Date): Promise<AccountMetrics[]> {
  return consistentRead(deps.sql, async (tx) => {
    const [realizedRows, ids] = await Promise.all([realizedByAccount(tx, dayStart), listAccountIds(tx)]);
    const realized = new Map(realizedRows.map((r) => [r.accountId, r]));
    // every account's reads sent together: they pipeline on the snapshot's connection
    const accounts = await Promise.all(ids.map((id) => accountMetrics(tx, deps, id, realized)));
    return accounts.filter((m) => m !== undefined);
  });
}

async function pollers(deps: SnapshotDeps): Promise<MonitoringSnapshot['taskQueue']> {
  const name = deps.config.temporal.TEMPORAL_TASK_QUEUE;
  if (!deps.temporal) return { name, workflowPollers: null, activityPollers: null };
  try {
    const p = await taskQueuePollers(deps.temporal, name);
    return { name, workflowPollers: p.workflow, activityPollers: p.activity };
  } catch {
    return { name, workflowPollers: null, activityPollers: null };
  }
}

/** A loosening through the environment stays alerting for a day after the start that made it. */
const LOOSENING_ALERT_MS = 86_400_000;

async function calendarReach(deps: SnapshotDeps, now: Date): Promise<MonitoringSnapshot['calendar']> {
  if (deps.config.market.MARKET_HOURS === 'always') return null;
  const years = await loadedYears(deps.sql);
  return CASH_EXCHANGES.map((exchange) => {
    const loaded = years.get(exchange) ?? new Set<number>();
    return { exchange, currentYearLoaded: loaded.has(istYear(now)), daysLeft: calendarDaysLeft(now, loaded) };
  });
}

export async function readSnapshot(deps: SnapshotDeps, now = new Date()): Promise<MonitoringSnapshot> {
  const { sql } = deps;
  const dayStart = istDayStart(now);
  const accounts = await accountsMetrics(deps, dayStart);
  // The audit reads below (the head, reconciliation, loosened settings) see what is queued too.
  await sealBeforeRead(sql);
  const [calendar, configLoosenedAt] = await Promise.all([calendarReach(deps, now), lastEnvironmentLoosening(sql, new Date(now.getTime() - LOOSENING_ALERT_MS))]);
  const [orders, rejections, head, verification, registry, broker, reconciliation, heartbeats, alerts, evaluation, taskQueue] = await Promise.all([
    ordersByStatus(sql, dayStart),
    rejectionsByRule(sql, dayStart),
    auditHead(sql),
    lastVerification(sql),
    // The registry belongs to the backup work: if its shape is not what this expects, backups are unavailable, not the whole snapshot.
    Promise.all([backupStatusByKind(sql, now, deps.config.backup.BACKUP_TIMEOUT_MIN * 60_000), installedAt(sql)]).catch(() => undefined),
    brokerWindow(sql, new Date(now.getTime() - BROKER_WINDOW_MS)),
    reconciliationStatus(sql, dayStart),
    freshHeartbeats(sql, new Date(now.getTime() - HEARTBEAT_FRESH_MS)),
    currentAlerts(sql),
    lastEvaluation(sql),
    pollers(deps),
  ]);
  const [backups, installed] = registry ?? [undefined, null];
  const firing: Record<string, number> = { critical: 0, warning: 0, info: 0 };
  for (const a of alerts) if (a.status === 'FIRING') firing[a.severity] = (firing[a.severity] ?? 0) + 1;
  return {
    generatedAt: now.toISOString(),
    accounts,
    ordersToday: Object.fromEntries(orders.map((o) => [o.status, o.count])),
    riskRejectionsToday: Object.fromEntries(rejections.map((r) => [r.rule, r.count])),
    audit: {
      headSeq: head.seq,
      headAgeSeconds: head.at ? Math.max(0, (now.getTime() - head.at.getTime()) / 1000) : null,
      lastVerification: verification
        ? { ok: verification.ok, at: verification.finishedAt.toISOString(), records: verification.records, firstBadSeq: verification.firstBadSeq, reason: verification.reason }
        : null,
    },
    backups: {
      available: backups !== undefined,
      kinds: withScheduledKinds(backups).map((b) => {
        const manual = backups?.find((m) => m.kind === 'manual')?.lastVerifiedSnapshotAt;
        const scheduled = (SCHEDULED_KINDS as readonly string[]).includes(b.kind);
        return {
          kind: b.kind,
          lastSuccessAt: iso(b.lastSuccessAt),
          lastVerifiedAt: iso(b.lastVerifiedAt),
          lastStatus: b.lastStatus,
          stale: scheduled && isStale(b.kind as BackupKind, freshnessBaseline(b.lastVerifiedSnapshotAt, manual, installed), now),
          failed: b.lastStatus === 'FAILED' || b.lastStatus === 'VERIFICATION_FAILED',
        };
      }),
    },
    broker: {
      calls5m: broker.calls,
      errors5m: broker.errors,
      errorRatio5m: broker.calls >= BROKER_MIN_CALLS ? broker.errors / broker.calls : null,
      sessionExpired: broker.lastSessionExpiredAt !== null && (broker.lastSuccessAt === null || broker.lastSessionExpiredAt > broker.lastSuccessAt),
      lastSuccessAt: iso(broker.lastSuccessAt),
    },
    reconciliation: { mismatchOpen: reconciliation.open, lastMismatchAt: iso(reconciliation.lastMismatchAt), mismatchesToday: reconciliation.mismatchesSince },
    taskQueue,
    processes: heartbeats.map((h) => ({ source: h.source, kind: h.kind, host: h.host, at: h.at.toISOString(), cpuRatio: h.cpuRatio, memoryRatio: h.memoryRatio, diskFreeRatio: h.diskFreeRatio, eventLoopLagSeconds: h.eventLoopLagSeconds })),
    alerts: { firing, pending: alerts.filter((a) => a.status === 'PENDING').length, lastEvaluationAt: iso(evaluation?.evaluatedAt) },
    calendar,
    configLoosenedAt: iso(configLoosenedAt),
  };
}
