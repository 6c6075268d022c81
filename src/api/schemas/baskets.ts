/**
 * The basket request and answer as the HTTP contract has them (rupees), validated with zod; the
 * same schemas feed the OpenAPI document. `toBasketLegs` turns the legs into the domain's paise.
 *
 * @module
 */
import { z } from '@hono/zod-openapi';
import { BASKET_STATUSES, MAX_BASKET_LEGS } from '../../domain/basket.ts';
import { ValidationError } from '../../domain/errors.ts';
import type { TradeRequest } from '../../domain/trade.ts';
import { toTradeRequest, TradeRequestBody } from './trades.ts';

export const BasketRequestBody = z
  .object({
    legs: z.array(TradeRequestBody).min(2).max(MAX_BASKET_LEGS).openapi({ description: `The legs (2 to ${MAX_BASKET_LEGS}), each a trade request; all fill or none stays open` }),
    legDeadlineSeconds: z.number().int().min(5).max(3600).default(60).openapi({ description: 'How long each leg may work before the basket gives up on it and unwinds the others' }),
  })
  .strict()
  .openapi('BasketRequest');
export type BasketRequestBody = z.infer<typeof BasketRequestBody>;

const Violation = z.object({ rule: z.string(), limit: z.union([z.number(), z.string()]), actual: z.union([z.number(), z.string()]), message: z.string(), leg: z.number().int().optional() });

export const Basket = z
  .object({
    id: z.string(),
    status: z.enum(BASKET_STATUSES).openapi({ description: 'PENDING: legs working; OPEN: every leg open; REJECTED: refused by the risk manager, nothing sent; FAILED: a leg could not fill and the others were exited' }),
    margin: z.number().nullable().openapi({ description: 'What the basket reserved (rupees): the maximum loss of a hedged option spread, else the sum of its legs alone' }),
    legsAlone: z.number().nullable().openapi({ description: 'The sum of its legs reserved one by one (rupees)' }),
    hedged: z.boolean().nullable(),
    reason: z.string().nullable(),
    violations: z.array(Violation).optional(),
    createdAt: z.string(),
    decidedAt: z.string().nullable(),
    workflowId: z.string(),
    legs: z.array(z.record(z.string(), z.unknown())).openapi({ description: 'The legs, each a Trade with its broker orders' }),
  })
  .openapi('Basket');

export const BasketAccepted = z
  .object({ id: z.string(), workflowId: z.string(), outcome: z.enum(['accepted', 'unknown']), status: z.literal('PENDING').optional(), detail: z.string().optional(), retry: z.string().optional() })
  .openapi('BasketAccepted');

/** The legs in paise; a leg's field problems point into `/legs/<n>`. */
export function toBasketLegs(body: BasketRequestBody): TradeRequest[] {
  return body.legs.map((leg, i) => {
    try {
      return toTradeRequest(leg);
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err;
      const errors = ((err.extensions?.errors ?? []) as { location: 'body'; pointer: string; detail: string }[]).map((e) => ({ ...e, pointer: `/legs/${i}${e.pointer}` }));
      throw new ValidationError(`Leg ${i + 1} of the basket is not valid; see errors for each field`, errors);
    }
  });
}
