/**
 * The paper exchange's own controls (admin, and only when BROKER=paper): set a simulated last
 * price, and list every order the exchange received with its tag. Mounted at /paper; it reaches
 * the exchange through its desk, never as a broker.
 *
 * @module
 */
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import { AppError, ValidationError } from '../../domain/errors.ts';
import { paiseToRupees, rupeesToPaise } from '../../domain/money.ts';
import { EXCHANGES, PRODUCTS } from '../../domain/trade.ts';
import { type AppEnv, principalOf } from '../context.ts';
import type { AppDeps } from '../deps.ts';
import { validationHook } from '../validation.ts';
import { JsonObject } from '../schemas/common.ts';

const setQuote = createRoute({
  method: 'post',
  path: '/quotes',
  tags: ['paper'],
  summary: 'Set the simulated last price of a symbol (resting orders that now cross fill)',
  request: {
    body: {
      content: {
        'application/json': {
          schema: z.object({ symbol: z.string().regex(/^[A-Z0-9][A-Z0-9&_-]{0,31}$/), exchange: z.enum(EXCHANGES).default('NSE'), product: z.enum(PRODUCTS).default('CASH'), price: z.number().positive().max(1e9) }).strict(),
        },
      },
      required: true,
    },
  },
  responses: { 200: { description: 'The quote', content: { 'application/json': { schema: JsonObject } } } },
});

const orders = createRoute({
  method: 'get',
  path: '/orders',
  tags: ['paper'],
  summary: 'Every order the paper exchange received, with its tag',
  request: { query: z.object({ tag: z.string().max(64).optional(), limit: z.coerce.number().int().min(1).max(5000).default(500) }) },
  responses: { 200: { description: 'Orders, newest first', content: { 'application/json': { schema: JsonObject } } } },
});

export function paperRoutes({ paper }: Pick<AppDeps, 'paper'>) {
  const paperOnly = () => {
    if (!paper) throw new AppError('paper-broker-off', 'The paper broker is not in use (BROKER is not paper)', { category: 'not_found', status: 404 });
    return paper;
  };
  return new OpenAPIHono<AppEnv>({ defaultHook: validationHook })
    .openapi(setQuote, async (c) => {
      const body = c.req.valid('json');
      const paise = rupeesToPaise(body.price);
      if (paise === undefined) throw new ValidationError('Price must be whole paise', [{ location: 'body', pointer: '/price', detail: 'at most two decimals' }]);
      const quote = await paperOnly().setQuote({ symbol: body.symbol, exchange: body.exchange, product: body.product }, paise);
      return c.json({ symbol: body.symbol, exchange: body.exchange, price: paiseToRupees(quote.lastPricePaise), at: quote.at }, 200);
    })
    .openapi(orders, async (c) => {
      const q = c.req.valid('query');
      const rows = await paperOnly().receivedOrders({ accountId: principalOf(c).accountId, tag: q.tag, limit: q.limit });
      return c.json(
        {
          orders: rows.map((o) => ({
            id: o.id,
            tag: o.tag,
            symbol: o.instrument.symbol,
            exchange: o.instrument.exchange,
            side: o.side,
            quantity: o.quantity,
            orderType: o.orderType,
            limitPrice: o.limitPricePaise === null ? null : paiseToRupees(o.limitPricePaise),
            triggerPrice: o.triggerPricePaise === null ? null : paiseToRupees(o.triggerPricePaise),
            strategyId: o.strategyId,
            status: o.status,
            filledQuantity: o.filledQuantity,
            averagePrice: o.averagePricePaise === null ? null : paiseToRupees(o.averagePricePaise),
            rejectReason: o.rejectReason,
            receivedAt: o.receivedAt.toISOString(),
          })),
        },
        200,
      );
    });
}
