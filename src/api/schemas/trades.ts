/**
 * The trade request as the HTTP contract has it (rupees as decimal numbers), validated with zod;
 * the same schema feeds the OpenAPI document. `toTradeRequest` turns it into the domain's paise.
 *
 * @module
 */
import { z } from '@hono/zod-openapi';
import { type FieldProblem, ValidationError } from '../../domain/errors.ts';
import { rupeesToPaise } from '../../domain/money.ts';
import { STRATEGY_NAME } from '../../domain/strategy.ts';
import { EXCHANGES, OPTION_RIGHTS, ORDER_TYPES, PRODUCTS, SIDES, type TradeRequest, type TrailingStop } from '../../domain/trade.ts';

const rupees = z.number().positive().max(1e9);

/** How far a trailing stop follows the best price since entry: rupees, or a percent of that price. */
export const TrailingStopBody = z
  .union([
    z.object({ rupees: rupees.openapi({ description: 'Distance in rupees (whole paise)', example: 10 }) }).strict(),
    z.object({ percent: z.number().positive().max(50).openapi({ description: 'Distance as a percent of the best price', example: 1.5 }) }).strict(),
  ])
  .openapi('TrailingStop', {
    description:
      'A stop-loss that follows the best price since entry (the high for a BUY, the low for a SELL) at this distance and never moves back; the resting stop at the broker is moved with it. The initial stop is `stopLoss` when given, else the distance from the entry fill.',
  });
export type TrailingStopBody = z.infer<typeof TrailingStopBody>;

/** The domain's trailing stop (paise), or a field problem when the rupees are not whole paise. */
export function toTrailingStop(body: TrailingStopBody, problem: (field: string, detail: string) => void): TrailingStop | undefined {
  if ('percent' in body) return { percent: body.percent };
  const paise = rupeesToPaise(body.rupees);
  if (paise === undefined) problem('trailingStop/rupees', 'at most two decimals (whole paise)');
  return paise === undefined ? undefined : { paise };
}

export const TradeRequestBody = z
  .object({
    symbol: z.string().regex(/^[A-Z0-9][A-Z0-9&_-]{0,31}$/, 'upper-case exchange symbol').openapi({ example: 'RELIANCE' }),
    exchange: z.enum(EXCHANGES).default('NSE'),
    product: z.enum(PRODUCTS).default('CASH'),
    side: z.enum(SIDES),
    quantity: z.number().int().positive().max(1_000_000).openapi({ example: 10 }),
    orderType: z.enum(ORDER_TYPES),
    price: rupees.optional().openapi({ description: 'LIMIT price in rupees', example: 2450.5 }),
    stopLoss: rupees.optional().openapi({ example: 2400 }),
    target: rupees.optional().openapi({ example: 2550 }),
    trailingStop: TrailingStopBody.optional(),
    intraday: z.boolean().default(true).openapi({ description: 'Squared off at SQUARE_OFF_TIME when true' }),
    expiry: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'YYYY-MM-DD').optional(),
    strike: rupees.optional(),
    right: z.enum(OPTION_RIGHTS).optional(),
    strategyId: z.string().regex(/^[\w.-]{1,64}$/).optional().openapi({ description: 'Algo or strategy id stamped on orders and audit records' }),
    strategy: z
      .string()
      .regex(STRATEGY_NAME, 'a strategy name: letters, digits, _ and -, at most 32')
      .optional()
      .openapi({ description: "The registered strategy's name (GET /strategies): its algo id goes on the orders, its limits and kill switch apply. Absent: the account's default strategy", example: 'momentum' }),
  })
  .strict()
  .openapi('TradeRequest');

export type TradeRequestBody = z.infer<typeof TradeRequestBody>;

export const IdempotencyHeader = z.object({
  'idempotency-key': z
    .string()
    .regex(/^[A-Za-z0-9_.:-]{8,128}$/, '8 to 128 characters of letters, digits and _ . : -')
    .openapi({ description: 'Idempotency-Key: the same key returns the same trade, never a second one', example: '6f1c0c9e-4a4b-4a1e-9a57-3f1f2f7c9a10' }),
});

/** Cross-field rules and the rupee-to-paise conversion; every problem is reported at once. */
export function toTradeRequest(body: TradeRequestBody): TradeRequest {
  const problems: FieldProblem[] = [];
  const problem = (field: string, detail: string) => problems.push({ location: 'body', pointer: `/${field}`, detail });
  const paise = (field: 'price' | 'stopLoss' | 'target' | 'strike') => {
    const value = body[field];
    if (value === undefined) return undefined;
    const converted = rupeesToPaise(value);
    if (converted === undefined) problem(field, 'at most two decimals (whole paise)');
    return converted;
  };
  const limitPricePaise = paise('price');
  const stopLossPaise = paise('stopLoss');
  const targetPaise = paise('target');
  const strikePaise = paise('strike');
  const trailingStop = body.trailingStop && toTrailingStop(body.trailingStop, problem);

  if (body.orderType === 'LIMIT' && body.price === undefined) problem('price', 'required for LIMIT orders');
  if (body.orderType === 'MARKET' && body.price !== undefined) problem('price', 'not allowed for MARKET orders');
  const derivative = body.product === 'FUTURES' || body.product === 'OPTIONS';
  if (derivative && !body.expiry) problem('expiry', `required for ${body.product}`);
  if (derivative && !['NFO', 'BFO'].includes(body.exchange)) problem('exchange', 'F&O trades on NFO or BFO');
  if (!derivative && body.expiry) problem('expiry', 'only for FUTURES and OPTIONS');
  if (body.product === 'OPTIONS' && (body.strike === undefined || !body.right)) problem(body.strike === undefined ? 'strike' : 'right', 'required for OPTIONS');
  if (body.product !== 'OPTIONS' && (body.strike !== undefined || body.right)) problem(body.strike !== undefined ? 'strike' : 'right', 'only for OPTIONS');
  const long = body.side === 'BUY';
  if (limitPricePaise && stopLossPaise && (long ? stopLossPaise >= limitPricePaise : stopLossPaise <= limitPricePaise)) {
    problem('stopLoss', `must be ${long ? 'below' : 'above'} the price for a ${body.side}`);
  }
  if (limitPricePaise && targetPaise && (long ? targetPaise <= limitPricePaise : targetPaise >= limitPricePaise)) {
    problem('target', `must be ${long ? 'above' : 'below'} the price for a ${body.side}`);
  }
  if (stopLossPaise && targetPaise && (long ? stopLossPaise >= targetPaise : stopLossPaise <= targetPaise)) {
    problem('target', 'must be on the other side of the stop-loss');
  }
  if (problems.length) throw new ValidationError('The trade request is not valid; see errors for each field', problems);

  return {
    instrument: {
      symbol: body.symbol,
      exchange: body.exchange,
      product: body.product,
      ...(body.expiry ? { expiry: body.expiry } : {}),
      ...(strikePaise !== undefined ? { strikePaise } : {}),
      ...(body.right ? { right: body.right } : {}),
    },
    side: body.side,
    quantity: body.quantity,
    orderType: body.orderType,
    limitPricePaise,
    stopLossPaise,
    targetPaise,
    ...(trailingStop ? { trailingStop } : {}),
    intraday: body.intraday,
    strategyId: body.strategyId,
    ...(body.strategy ? { strategy: body.strategy } : {}),
  };
}
