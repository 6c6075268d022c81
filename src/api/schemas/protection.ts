/**
 * PATCH /trades/{id}'s body, checked in two steps:
 * - its **shape** (JSON an object with only `stopLoss`, `target` and `trailingStop`, numbers where
 *   numbers go, `trailingStop` an object or null, something to change): 400 `validation-failed`
 *   from the schema, as for every route;
 * - its **values** (a price or distance that cannot work as a stop: zero or negative, more than two
 *   decimals of a rupee, a percent outside (0, 50], both or neither of `rupees` and `percent`):
 *   422 `protection-invalid`, each problem with a JSON Pointer to its field (`errors`), nothing
 *   changed. The levels' side against the price is checked after (422 `protection-wrong-side`,
 *   src/api/services/change-protection.ts).
 *
 * @module
 */
import { z } from '@hono/zod-openapi';
import { BusinessRuleError, type FieldProblem } from '../../domain/errors.ts';
import { rupeesToPaise } from '../../domain/money.ts';
import type { TrailingStop } from '../../domain/trade.ts';
import type { NewProtection } from '../services/change-protection.ts';

/** The largest trailing percent (as on POST /trades). */
export const MAX_TRAIL_PERCENT = 50;
const MAX_RUPEES = 1e9;

export const ProtectionBody = z
  .object({
    stopLoss: z.number().optional().openapi({ description: 'The new stop-loss in rupees (positive, whole paise)', example: 2400 }),
    target: z.number().optional().openapi({ description: 'The new target in rupees (positive, whole paise)', example: 2550 }),
    trailingStop: z
      .object({
        rupees: z.number().optional().openapi({ description: 'Distance in rupees (positive, whole paise)', example: 10 }),
        percent: z.number().optional().openapi({ description: `Distance as a percent of the best price (above 0, at most ${MAX_TRAIL_PERCENT})`, example: 1.5 }),
      })
      .strict()
      .nullable()
      .optional()
      .openapi({ description: 'A new trailing distance, exactly one of `rupees` or `percent`; null stops trailing (the stop stays where it is)' }),
  })
  .strict()
  .refine((b) => b.stopLoss !== undefined || b.target !== undefined || b.trailingStop !== undefined, 'stopLoss, target or trailingStop')
  .openapi('ProtectionChange', {
    description:
      'A body of the wrong shape (not an object, an unknown field, a string where a number goes, nothing to change) is refused with 400. ' +
      'Values that cannot work as a stop (zero or negative, more than two decimals, a percent outside (0, 50], both or neither of rupees and percent) are refused with 422 `protection-invalid`, naming each field in `errors`; ' +
      'a level on the wrong side of the last price with 422 `protection-wrong-side`.',
  });
export type ProtectionBody = z.infer<typeof ProtectionBody>;

/** The change in paise, or 422 `protection-invalid` naming every field whose value cannot work. */
export function toProtectionChange(body: ProtectionBody): NewProtection {
  const errors: FieldProblem[] = [];
  const problem = (pointer: string, detail: string) => errors.push({ location: 'body', pointer, detail });
  const price = (value: number | undefined, pointer: string) => {
    if (value === undefined) return undefined;
    const paise = value > 0 && value <= MAX_RUPEES ? rupeesToPaise(value) : undefined;
    if (!(value > 0 && value <= MAX_RUPEES)) problem(pointer, 'must be a positive amount of rupees');
    else if (paise === undefined) problem(pointer, 'at most two decimals (whole paise)');
    return paise;
  };
  const stopLossPaise = price(body.stopLoss, '/stopLoss');
  const targetPaise = price(body.target, '/target');
  let trailingStop: TrailingStop | null | undefined = body.trailingStop === null ? null : undefined;
  if (body.trailingStop) {
    const { rupees, percent } = body.trailingStop;
    if (rupees !== undefined && percent !== undefined) problem('/trailingStop', 'give rupees or percent, not both');
    else if (rupees === undefined && percent === undefined) problem('/trailingStop', 'give rupees or percent');
    else if (percent !== undefined) {
      if (percent > 0 && percent <= MAX_TRAIL_PERCENT) trailingStop = { percent };
      else problem('/trailingStop/percent', `must be above 0 and at most ${MAX_TRAIL_PERCENT}`);
    } else {
      const paise = price(rupees, '/trailingStop/rupees');
      if (paise !== undefined) trailingStop = { paise };
    }
  }
  if (errors.length) {
    throw new BusinessRuleError('protection-invalid', `The new protection cannot work: ${errors.map((e) => `${e.pointer.slice(1)} ${e.detail}`).join('; ')}`, { errors });
  }
  return { stopLossPaise, targetPaise, ...(trailingStop !== undefined ? { trailingStop } : {}) };
}
