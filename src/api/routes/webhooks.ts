/**
 * Signed trade signals (TradingView-style webhooks). The signature is checked over the raw body
 * before anything is parsed; stale or future timestamps, bad signatures and replayed signal ids
 * are refused and audited. A valid signal becomes a trade through the same path and risk checks
 * as POST /trades, its signal id being its idempotency key (so a replay can never trade twice).
 *
 * @module
 */
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import type { Actor } from '../../audit/events.ts';
import { apiKeyByPrefix, markApiKeyUsed } from '../../db/api-keys.ts';
import { transaction } from '../../db/transaction.ts';
import { getTrade } from '../../db/trades.ts';
import { AppError, AuthenticationError, ConflictError, ValidationError } from '../../domain/errors.ts';
import { tradeIdFor } from '../../domain/ids.ts';
import { apiKeyRefusal, effectiveScopes } from '../../security/api-keys.ts';
import { checkWebhookSignature } from '../../domain/webhook-signature.ts';
import type { AppEnv } from '../context.ts';
import type { AppDeps } from '../deps.ts';
import { toTradeRequest, TradeRequestBody } from '../schemas/trades.ts';
import { enterTrade } from '../services/enter-trade.ts';
import { fieldProblems, validationHook } from '../validation.ts';
import { tradeView } from '../views/trade.ts';

const Signal = TradeRequestBody.extend({ signalId: z.string().regex(/^[\w.:-]{8,128}$/, '8 to 128 characters of letters, digits and _ . : -') }).openapi('TradeSignal');

const receive = createRoute({
  method: 'post',
  path: '/signals',
  tags: ['webhooks'],
  summary: 'A signed trade signal (HMAC-SHA256 over "<timestamp>.<raw body>")',
  request: {
    headers: z.object({
      'x-signature-timestamp': z.string().optional().openapi({ description: 'Unix seconds; refused when more than WEBHOOK_TOLERANCE_S away' }),
      'x-signature': z.string().optional().openapi({ description: 'hex HMAC-SHA256 of `${timestamp}.${rawBody}`' }),
      'x-webhook-key': z.string().optional().openapi({ description: 'API key prefix whose webhook secret signed the body; absent: WEBHOOK_SECRET' }),
    }),
  },
  description: 'Body: a TradeSignal (a trade request plus `signalId`). It is read raw and parsed only after the signature checks out.',
  responses: {
    201: { description: 'Placed: the trade the signal started' },
    202: { description: 'Placed (`outcome: "accepted"`, before its risk check) or unknown (`outcome: "unknown"`): resend the same signal (same `signalId`); it joins this trade or answers 409 replayed' },
    503: { description: 'Not placed (`outcome: "not-placed"`): a dependency is down; resend after `Retry-After`' },
    401: { description: 'Signature missing, stale or wrong (audited)' },
    409: { description: 'This signal id was already received (audited)' },
  },
});

export function webhookRoutes(deps: Pick<AppDeps, 'sql' | 'config' | 'audit' | 'temporal'>) {
  const { sql, config, audit } = deps;

  const reject = async (c: Context<AppEnv>, reason: string, details: Record<string, unknown> = {}) => {
    await transaction(sql, (tx) =>
      audit.append(tx, {
        type: 'WEBHOOK_REJECTED',
        actor: { type: 'system', id: 'webhooks' },
        accountId: config.account.ACCOUNT_ID,
        clientIp: c.get('clientIp'),
        requestId: c.get('requestId'),
        payload: { reason, ...details },
      }),
    );
  };

  // The body is read raw here (the signature covers its exact bytes); the schema above is for the docs.
  return new OpenAPIHono<AppEnv>({ defaultHook: validationHook }).openapi(receive, async (c) => {
    const raw = await c.req.text();
    const keyPrefix = c.req.header('x-webhook-key');
    const key = keyPrefix && /^[0-9a-f]{12}$/.test(keyPrefix) ? await apiKeyByPrefix(sql, keyPrefix) : undefined;
    // A key signs only while it could trade itself: not revoked, its user enabled and still
    // allowed to trade by their current role, the caller inside its CIDRs.
    const keyRefused = key && (apiKeyRefusal(key, c.get('clientIp')) ?? (!key.webhookSecret ? 'no-webhook-secret' : !effectiveScopes(key).includes('trade') ? 'no-trade-scope' : undefined));
    const usableKey = key && !keyRefused ? key : undefined;
    const secrets = usableKey ? [usableKey.webhookSecret!] : keyPrefix ? [] : config.security.WEBHOOK_SECRET ? [config.security.WEBHOOK_SECRET] : [];
    const check = checkWebhookSignature(secrets, c.req.header('x-signature-timestamp'), c.req.header('x-signature'), raw, Math.floor(Date.now() / 1000), config.security.WEBHOOK_TOLERANCE_S);
    if (!check.ok || !secrets.length) {
      const reason = !secrets.length ? 'no usable webhook secret' : check.ok ? 'unknown' : check.reason;
      await reject(c, reason, { keyPrefix, ...(keyRefused ? { keyRefused } : {}) });
      throw new AuthenticationError(`Webhook refused: ${reason === 'stale' ? 'timestamp outside the allowed window' : reason === 'missing' ? 'signature headers missing' : 'signature does not match'}`, 'webhook-signature');
    }
    if (usableKey) await markApiKeyUsed(sql, usableKey.id, c.get('clientIp'));

    let body: unknown;
    try {
      body = JSON.parse(raw);
    } catch {
      await reject(c, 'malformed JSON');
      throw new ValidationError('The body is not JSON');
    }
    const parsed = Signal.safeParse(body);
    if (!parsed.success) {
      await reject(c, 'invalid signal', { problems: parsed.error.issues.length });
      throw new ValidationError('The signal is not valid; see errors for each field', fieldProblems(parsed.error, 'json'));
    }
    const { signalId, ...tradeBody } = parsed.data;
    const accountId = usableKey?.accountId ?? config.account.ACCOUNT_ID;
    const idempotencyKey = `webhook:${signalId}`;
    const replayed = async (tradeId: string) => {
      await reject(c, 'replayed signal id', { signalId, tradeId });
      return new ConflictError('signal-replayed', `Signal ${signalId} was already received`, { tradeId });
    };
    const seen = await getTrade(sql, tradeIdFor(accountId, idempotencyKey));
    if (seen) throw await replayed(seen.id);
    const requestedBy: Actor = usableKey ? { type: 'api_key', id: usableKey.id } : { type: 'system', id: 'webhook' };
    const outcome = await enterTrade(deps, {
      accountId,
      idempotencyKey,
      request: toTradeRequest(tradeBody),
      requestedBy,
      clientIp: c.get('clientIp'),
      requestId: c.get('requestId'),
      source: 'webhook',
      signalId,
      deadline: c.get('deadline'),
      answerExtra: { signalId },
    });
    if (outcome.kind === 'pending') return c.json({ id: outcome.tradeId, status: 'PENDING', outcome: 'accepted', signalId }, 202);
    const trade = outcome.trade;
    // A copy that arrived while the first was still in flight joined its workflow: a replay too.
    if (!outcome.created) throw await replayed(trade.id);
    if (trade.status === 'REJECTED' && trade.violations?.length) {
      throw new AppError('risk-rejected', `Rejected by the risk manager: ${trade.violations.map((v) => v.rule).join(', ')}`, {
        category: 'business',
        status: 422,
        extensions: { tradeId: trade.id, violations: trade.violations },
      });
    }
    return c.json({ signalId, ...tradeView(trade, config.temporal.TEMPORAL_UI_URL, config.temporal.TEMPORAL_NAMESPACE) }, 201);
  });
}
