/**
 * The value types the settings share: booleans as operators write them, bounded integers, rupee
 * amounts, comma-separated lists, IST clock times and the charge-schedule JSON.
 *
 * @module
 */
import { z } from 'zod';

export const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no', 'on', 'off'])
  .transform((v) => ['true', '1', 'yes', 'on'].includes(v));
export const int = (min = 0) => z.coerce.number().int().min(min);
export const rupees = z.coerce.number().nonnegative();
export const list = z.string().transform((v) => v.split(',').map((s) => s.trim()).filter(Boolean));
const rate = z.number().min(0).max(1);
const segmentRates = z.object({ sttBuy: rate, sttSell: rate, exchange: rate, stampBuy: rate }).partial().strict();
/** CHARGES_SCHEDULE: JSON overriding parts of the default charge schedule (src/domain/charges.ts). */
export const chargesJson = z
  .string()
  .transform((text, ctx) => {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      ctx.addIssue({ code: 'custom', message: 'not valid JSON' });
      return z.NEVER;
    }
  })
  .pipe(
    z
      .object({
        brokeragePerOrderPaise: z.number().int().min(0),
        brokerageMaxFraction: rate,
        sebiFee: rate,
        gst: rate,
        segments: z.object({ EQUITY_DELIVERY: segmentRates, EQUITY_INTRADAY: segmentRates, FUTURES: segmentRates, OPTIONS: segmentRates }).partial().strict(),
      })
      .partial()
      .strict(),
  );
export const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'expected HH:MM (24h, IST)');
