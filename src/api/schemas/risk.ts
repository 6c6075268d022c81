/**
 * Risk limits as the API shows and takes them: rupees for money, fractions for shares; the
 * domain holds paise and basis points.
 *
 * @module
 */
import { z } from '@hono/zod-openapi';
import { paiseToRupees } from '../../domain/money.ts';
import type { RiskLimits } from '../../domain/risk/limits.ts';

export const LimitsBody = z
  .object({
    maxPositionQuantity: z.number().int().positive().max(10_000_000),
    maxOpenPositions: z.number().int().positive().max(1000),
    dailyLossLimit: z.number().nonnegative().max(1e10).openapi({ description: 'rupees' }),
    maxConcentration: z.number().gt(0).max(1).openapi({ description: 'fraction of capital' }),
    maxTradeValue: z.number().positive().max(1e10).openapi({ description: 'rupees' }),
    maxOrdersPerSecond: z.number().int().positive().max(1000),
    priceBand: z.number().gt(0).max(1).openapi({ description: 'fraction of the last price' }),
  })
  .partial()
  .strict()
  .openapi('RiskLimits');

export type LimitsBody = z.infer<typeof LimitsBody>;

export function limitsView(l: RiskLimits) {
  return {
    maxPositionQuantity: l.maxPositionQuantity,
    maxOpenPositions: l.maxOpenPositions,
    dailyLossLimit: paiseToRupees(l.dailyLossLimitPaise),
    maxConcentration: l.maxConcentrationBp / 10_000,
    maxTradeValue: paiseToRupees(l.maxTradeValuePaise),
    maxOrdersPerSecond: l.maxOrdersPerSecond,
    priceBand: l.priceBandBp / 10_000,
  };
}

export function toLimits(body: LimitsBody): Partial<RiskLimits> {
  const out: Partial<RiskLimits> = {};
  if (body.maxPositionQuantity !== undefined) out.maxPositionQuantity = body.maxPositionQuantity;
  if (body.maxOpenPositions !== undefined) out.maxOpenPositions = body.maxOpenPositions;
  if (body.dailyLossLimit !== undefined) out.dailyLossLimitPaise = Math.round(body.dailyLossLimit * 100);
  if (body.maxConcentration !== undefined) out.maxConcentrationBp = Math.round(body.maxConcentration * 10_000);
  if (body.maxTradeValue !== undefined) out.maxTradeValuePaise = Math.round(body.maxTradeValue * 100);
  if (body.maxOrdersPerSecond !== undefined) out.maxOrdersPerSecond = body.maxOrdersPerSecond;
  if (body.priceBand !== undefined) out.priceBandBp = Math.round(body.priceBand * 10_000);
  return out;
}
