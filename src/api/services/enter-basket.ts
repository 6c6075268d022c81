/**
 * Entering a basket (POST /baskets): derive the basket's and its legs' ids from the idempotency
 * key, refuse a key reused for another request, start-or-join the basket workflow and wait
 * (bounded) for its outcome. The same key twice is one basket.
 *
 * @module
 */
import { createHash } from 'node:crypto';
import { canonicalJson } from '../../audit/chain.ts';
import type { Actor } from '../../audit/events.ts';
import { type BasketRow, getBasket } from '../../db/baskets.ts';
import { BusinessRuleError } from '../../domain/errors.ts';
import { basketIdFor, basketLegTradeId, basketWorkflowId } from '../../domain/ids.ts';
import type { TradeRequest } from '../../domain/trade.ts';
import { submitBasket } from '../../temporal/baskets.ts';
import type { AppDeps } from '../deps.ts';
import type { RequestDeadline } from '../handover.ts';
import { fromTemporalError } from '../temporal-errors.ts';
import { requestFingerprint } from './enter-trade.ts';

export interface BasketCommand {
  accountId: string;
  idempotencyKey: string;
  legs: TradeRequest[];
  legDeadlineMs: number;
  requestedBy: Actor;
  clientIp?: string | undefined;
  requestId?: string | undefined;
  deadline?: RequestDeadline | undefined;
}

export type BasketOutcome = { kind: 'basket'; basket: BasketRow; created: boolean } | { kind: 'pending'; basketId: string };

/** How a client retries a basket whose outcome it was not told. */
export const BASKET_RETRY = 'Retry with the same Idempotency-Key: it joins this basket and never makes a second one.';

export async function enterBasket(deps: Pick<AppDeps, 'sql' | 'temporal' | 'config'>, cmd: BasketCommand): Promise<BasketOutcome> {
  const basketId = basketIdFor(cmd.accountId, cmd.idempotencyKey);
  const fingerprint = createHash('sha256').update(canonicalJson({ legs: cmd.legs, legDeadlineMs: cmd.legDeadlineMs })).digest('hex');
  const reused = () => new BusinessRuleError('idempotency-key-reused', 'This Idempotency-Key was used for a different request');

  const existing = await getBasket(deps.sql, basketId);
  if (existing) {
    if (existing.requestFingerprint !== fingerprint) throw reused();
    return { kind: 'basket', basket: existing, created: false };
  }
  // From here on the basket may exist: no answer may say "not placed" (../handover.ts).
  await cmd.deadline?.handOver({ location: `/baskets/${basketId}`, retry: BASKET_RETRY, extra: { id: basketId, workflowId: basketWorkflowId(basketId) } });
  let summary;
  try {
    summary = await submitBasket(deps.temporal, deps.config, {
      basketId,
      accountId: cmd.accountId,
      legs: cmd.legs.map((request, i) => ({ tradeId: basketLegTradeId(cmd.accountId, cmd.idempotencyKey, i), request, requestFingerprint: requestFingerprint(request) })),
      requestFingerprint: fingerprint,
      requestedBy: cmd.requestedBy,
      clientIp: cmd.clientIp,
      requestId: cmd.requestId,
      ackWaitMs: deps.config.http.TRADE_ACK_WAIT_MS,
      legDeadlineMs: cmd.legDeadlineMs,
    });
  } catch (err) {
    throw fromTemporalError(err, `basket ${basketId}`);
  }
  if (summary && summary.requestFingerprint !== fingerprint) throw reused();
  const basket = await getBasket(deps.sql, basketId);
  if (!basket) return { kind: 'pending', basketId };
  return { kind: 'basket', basket, created: summary !== undefined && !summary.replayed };
}
