/**
 * Entering a trade, shared by POST /trades and signed webhooks: derive the trade id from the
 * idempotency key, refuse a key reused for another request, start-or-join the trade workflow and
 * wait (bounded) for the entry outcome.
 *
 * @module
 */
import { createHash } from 'node:crypto';
import { canonicalJson } from '../../audit/chain.ts';
import type { Actor } from '../../audit/events.ts';
import { getTrade, type TradeRow } from '../../db/trades.ts';
import { BusinessRuleError } from '../../domain/errors.ts';
import { tradeIdFor, tradeWorkflowId } from '../../domain/ids.ts';
import type { TradeRequest } from '../../domain/trade.ts';
import { submitTrade } from '../../temporal/trades.ts';
import type { AppDeps } from '../deps.ts';
import type { RequestDeadline } from '../handover.ts';
import { fromTemporalError } from '../temporal-errors.ts';

export interface EntryCommand {
  accountId: string;
  idempotencyKey: string;
  request: TradeRequest;
  requestedBy: Actor;
  clientIp?: string | undefined;
  requestId?: string | undefined;
  source: 'api' | 'webhook';
  signalId?: string | undefined;
  /** The request's deadline: the entry is handed over through it (../handover.ts). */
  deadline?: RequestDeadline | undefined;
  /** Members of the "outcome unknown" answer besides the trade id (the webhook's signal id). */
  answerExtra?: Record<string, unknown> | undefined;
}

export type EntryOutcome =
  | { kind: 'trade'; trade: TradeRow; created: boolean }
  /** Started, still before its risk check after the bounded wait: the client polls. */
  | { kind: 'pending'; tradeId: string };

/** How a client retries an entry whose outcome it was not told. */
export const ENTRY_RETRY = 'Retry with the same Idempotency-Key: it joins this trade and never makes a second one.';

export function requestFingerprint(request: TradeRequest): string {
  return createHash('sha256').update(canonicalJson(request)).digest('hex');
}

export async function enterTrade(deps: Pick<AppDeps, 'sql' | 'temporal' | 'config'>, cmd: EntryCommand): Promise<EntryOutcome> {
  // where trade_entry_to_broker_seconds starts (src/observability/trade-latency.ts)
  const acceptedAt = new Date().toISOString();
  const tradeId = tradeIdFor(cmd.accountId, cmd.idempotencyKey);
  const fingerprint = requestFingerprint(cmd.request);
  const reused = () => new BusinessRuleError('idempotency-key-reused', 'This Idempotency-Key was used for a different request');

  const existing = await getTrade(deps.sql, tradeId);
  if (existing) {
    if (existing.requestFingerprint !== fingerprint) throw reused();
    return { kind: 'trade', trade: existing, created: false };
  }
  // From here on the trade may exist: no answer may say "not placed" (../handover.ts).
  await cmd.deadline?.handOver({
    tradeId,
    location: `/trades/${tradeId}`,
    retry: ENTRY_RETRY,
    extra: { workflowId: tradeWorkflowId(tradeId), ...cmd.answerExtra },
  });
  let summary;
  try {
    summary = await submitTrade(deps.temporal, deps.config, {
      tradeId,
      accountId: cmd.accountId,
      request: cmd.request,
      requestFingerprint: fingerprint,
      requestedBy: cmd.requestedBy,
      clientIp: cmd.clientIp,
      requestId: cmd.requestId,
      source: cmd.source,
      signalId: cmd.signalId,
      ackWaitMs: deps.config.http.TRADE_ACK_WAIT_MS,
      acceptedAt,
    });
  } catch (err) {
    throw fromTemporalError(err, `trade ${tradeId}`);
  }
  if (summary && summary.requestFingerprint !== fingerprint) throw reused();
  const trade = await getTrade(deps.sql, tradeId);
  if (!trade) return { kind: 'pending', tradeId };
  return { kind: 'trade', trade, created: summary !== undefined && !summary.replayed };
}
