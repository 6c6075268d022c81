/**
 * Strategies as the API takes and shows them: a name, the exchange algo id, and limits (in the
 * units of PUT /risk/limits) that narrow the account's for this strategy's own book.
 *
 * @module
 */
import { z } from '@hono/zod-openapi';
import { paiseToRupees } from '../../domain/money.ts';
import type { RiskLimits } from '../../domain/risk/limits.ts';
import { ALGO_ID, DEFAULT_STRATEGY, type Strategy, STRATEGY_NAME } from '../../domain/strategy.ts';
import { LimitsBody } from './risk.ts';

export const NewStrategyBody = z
  .object({
    name: z
      .string()
      .regex(STRATEGY_NAME, 'letters, digits, _ and -, starting with a letter or digit, at most 32')
      .refine((n) => n !== DEFAULT_STRATEGY, `"${DEFAULT_STRATEGY}" is the account's default strategy`)
      .openapi({ description: 'Unique in the account; trade requests name the strategy by it (`strategy`)', example: 'momentum' }),
    algoId: z
      .string()
      .regex(ALGO_ID, 'the exchange-issued algo id: letters, digits, . _ and -, at most 32')
      .openapi({ description: 'The exchange-issued algo id its orders carry (a client algo under the order-rate threshold uses the generic one)', example: 'NSE-ALGO-12345' }),
    limits: LimitsBody.optional().openapi({ description: "Limits of this strategy's own trades, in the units of PUT /risk/limits; the account's limits still apply to the whole account" }),
  })
  .strict()
  .openapi('NewStrategy');
export type NewStrategyBody = z.infer<typeof NewStrategyBody>;

export const StrategyView = z
  .object({
    id: z.string(),
    name: z.string(),
    algoId: z.string(),
    default: z.boolean().openapi({ description: 'The account default: trades that name no strategy' }),
    state: z.enum(['ACTIVE', 'HALTED']),
    reason: z.string().nullable(),
    since: z.string().nullable(),
    limits: z.record(z.string(), z.number()).openapi({ description: 'Only the limits this strategy sets' }),
    createdBy: z.string(),
    createdAt: z.string().nullable(),
  })
  .openapi('Strategy');

export const HaltStrategyBody = z
  .object({
    reason: z.string().min(1).max(500),
    flatten: z.boolean().default(false).openapi({ description: "Also close the strategy's open positions (its working entries are cancelled either way)" }),
  })
  .strict()
  .openapi('HaltStrategy');

/** The limits a strategy sets, in the units of PUT /risk/limits. */
export function strategyLimitsView(l: Partial<RiskLimits>): Record<string, number> {
  const out: Record<string, number> = {};
  if (l.maxPositionQuantity !== undefined) out.maxPositionQuantity = l.maxPositionQuantity;
  if (l.maxOpenPositions !== undefined) out.maxOpenPositions = l.maxOpenPositions;
  if (l.dailyLossLimitPaise !== undefined) out.dailyLossLimit = paiseToRupees(l.dailyLossLimitPaise);
  if (l.maxConcentrationBp !== undefined) out.maxConcentration = l.maxConcentrationBp / 10_000;
  if (l.maxTradeValuePaise !== undefined) out.maxTradeValue = paiseToRupees(l.maxTradeValuePaise);
  if (l.maxOrdersPerSecond !== undefined) out.maxOrdersPerSecond = l.maxOrdersPerSecond;
  if (l.priceBandBp !== undefined) out.priceBand = l.priceBandBp / 10_000;
  return out;
}

export function strategyView(s: Strategy) {
  const isDefault = s.id === DEFAULT_STRATEGY;
  return {
    id: s.id,
    name: s.name,
    algoId: s.algoId,
    default: isDefault,
    state: s.state,
    reason: s.stateReason,
    since: isDefault ? null : s.stateChangedAt.toISOString(),
    limits: strategyLimitsView(s.limits),
    createdBy: s.createdBy,
    createdAt: isDefault ? null : s.createdAt.toISOString(),
  };
}

export const WebhookView = z
  .object({
    url: z.string().openapi({ description: "The strategy's TradingView webhook URL (POST /webhooks/tradingview/{token}); shown this once, kept only hashed", example: 'https://trader.example.in/webhooks/tradingview/3q2-rQ...' }),
    token: z.string().openapi({ description: 'The secret part of the URL: whoever holds it can trade as this strategy' }),
  })
  .openapi('StrategyWebhook');

/** The webhook URL on the origin the request came to (TradingView posts to ports 80 and 443 only: docs/tradingview.md). */
export function webhookView(requestUrl: string, token: string): z.infer<typeof WebhookView> {
  return { url: `${new URL(requestUrl).origin}/webhooks/tradingview/${token}`, token };
}
