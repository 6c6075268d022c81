/**
 * Baskets, mounted at /baskets: enter several legs as one, all or none (update-with-start of the
 * basket workflow, keyed by Idempotency-Key), and read one with its legs. The API never calls the
 * broker; it starts and reads.
 *
 * @module
 */
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { type BasketRow, basketLegIds, getBasket } from '../../db/baskets.ts';
import { ordersOfTrade } from '../../db/orders.ts';
import { getTrade } from '../../db/trades.ts';
import { BusinessRuleError, NotFoundError } from '../../domain/errors.ts';
import { basketWorkflowId } from '../../domain/ids.ts';
import { actorOf } from '../../security/principal.ts';
import { type AppEnv, principalOf, requestFacts } from '../context.ts';
import type { AppDeps } from '../deps.ts';
import { Basket, BasketAccepted, BasketRequestBody, toBasketLegs } from '../schemas/baskets.ts';
import { problem } from '../schemas/common.ts';
import { IdempotencyHeader } from '../schemas/trades.ts';
import { enterBasket } from '../services/enter-basket.ts';
import { validationHook } from '../validation.ts';
import { basketView } from '../views/basket.ts';
import { tradeView } from '../views/trade.ts';

const BasketId = z.object({ id: z.string().regex(/^b[a-z2-7]{15}$/).openapi({ param: { name: 'id', in: 'path' } }) });

const enter = createRoute({
  method: 'post',
  path: '/',
  tags: ['baskets'],
  summary: 'Enter a basket of legs, all or none (idempotent by Idempotency-Key)',
  request: { headers: IdempotencyHeader, body: { content: { 'application/json': { schema: BasketRequestBody } }, required: true } },
  responses: {
    200: { description: 'Placed earlier: the basket this Idempotency-Key already made', content: { 'application/json': { schema: Basket } } },
    201: { description: 'Placed: every leg open (OPEN), failed and unwound (FAILED), or legs still working (PENDING); `Location` is the basket', content: { 'application/json': { schema: Basket } } },
    202: {
      description:
        'Placed or unknown; `Location` is the basket. `outcome: "accepted"`: started, not yet through its risk check (poll `Location`). `outcome: "unknown"`: handed to the workflow engine, which did not confirm in time: retry with the same Idempotency-Key (it joins this basket, never makes a second)',
      content: { 'application/json': { schema: BasketAccepted } },
    },
    422: problem('Rejected by the risk manager as a whole (`violations`, each naming its `leg`), or the key was used for another request: nothing placed'),
    503: problem('Not placed (`outcome: "not-placed"`): a dependency is down or the request ran out of time before it reached the workflow engine; retry after `Retry-After`'),
  },
});

const read = createRoute({
  method: 'get',
  path: '/{id}',
  tags: ['baskets'],
  summary: 'One basket with its legs',
  request: { params: BasketId },
  responses: { 200: { description: 'The basket', content: { 'application/json': { schema: Basket } } }, 404: problem('No such basket') },
});

export function basketRoutes(deps: Pick<AppDeps, 'config' | 'sql' | 'temporal'>) {
  const { config, sql } = deps;
  const view = async (basket: BasketRow) => {
    const legs = [];
    for (const id of await basketLegIds(sql, basket.id)) {
      const trade = await getTrade(sql, id);
      if (trade) legs.push(tradeView(trade, config.temporal.TEMPORAL_UI_URL, config.temporal.TEMPORAL_NAMESPACE, await ordersOfTrade(sql, id)));
    }
    return basketView(basket, legs);
  };
  const answer = async (c: Context<AppEnv>, basket: BasketRow, status: 200 | 201) => {
    if (basket.status === 'REJECTED' && basket.violations?.length) {
      throw new BusinessRuleError('risk-rejected', `Rejected by the risk manager: ${basket.reason ?? basket.violations.map((v) => v.rule).join(', ')}`, { basketId: basket.id, violations: basket.violations });
    }
    if (status === 200) c.header('Idempotent-Replayed', 'true');
    return c.json(await view(basket), status);
  };

  return new OpenAPIHono<AppEnv>({ defaultHook: validationHook })
    .openapi(enter, async (c) => {
      const principal = principalOf(c);
      const body = c.req.valid('json');
      const outcome = await enterBasket(deps, {
        accountId: principal.accountId,
        idempotencyKey: c.req.valid('header')['idempotency-key'],
        legs: toBasketLegs(body),
        legDeadlineMs: body.legDeadlineSeconds * 1000,
        requestedBy: actorOf(principal),
        ...requestFacts(c),
        deadline: c.get('deadline'),
      });
      const id = outcome.kind === 'pending' ? outcome.basketId : outcome.basket.id;
      c.header('Location', `/baskets/${id}`);
      if (outcome.kind === 'pending') return c.json({ id, status: 'PENDING', outcome: 'accepted', workflowId: basketWorkflowId(id) }, 202) as never;
      return answer(c, outcome.basket, outcome.created ? 201 : 200) as never;
    })
    .openapi(read, async (c) => {
      const basket = await getBasket(sql, c.req.valid('param').id, principalOf(c).accountId);
      if (!basket) throw new NotFoundError(`basket ${c.req.valid('param').id}`);
      return c.json(await view(basket), 200) as never;
    });
}
