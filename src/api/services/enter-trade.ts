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
import { tradeIdFor } from '../../domain/ids.ts';
import type { TradeRequest } from '../../domain/trade.ts';
import { submitTrade } from '../../temporal/trades.ts';
import type { AppDeps } from '../deps.ts';
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
}

export type EntryOutcome =
  | { kind: 'trade'; trade: TradeRow; created: boolean }
  /** Still before its risk check after the bounded wait: the client polls. */
  | { kind: 'pending'; tradeId: string };

export function requestFingerprint(request: TradeRequest): string {
  return createHash('sha256').update(canonicalJson(request)).digest('hex');
}

export async function enterTrade(deps: Pick<AppDeps, 'sql' | 'temporal' | 'config'>, cmd: EntryCommand): Promise<EntryOutcome> {
  const tradeId = tradeIdFor(cmd.accountId, cmd.idempotencyKey);
  const fingerprint = requestFingerprint(cmd.request);
  const reused = () => new BusinessRuleError('idempotency-key-reused', 'This Idempotency-Key was used for a different request');

  const existing = await getTrade(deps.sql, tradeId);
  if (existing) {
    if (existing.requestFingerprint !== fingerprint) throw reused();
    return { kind: 'trade', trade: existing, created: false };
  }
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
    });
  } catch (err) {
    throw fromTemporalError(err, `trade ${tradeId}`);
  }
  if (summary && summary.requestFingerprint !== fingerprint) throw reused();
  const trade = await getTrade(deps.sql, tradeId);
  if (!trade) return { kind: 'pending', tradeId };
  return { kind: 'trade', trade, created: summary !== undefined && !summary.replayed };
}
