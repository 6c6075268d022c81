/**
 * Strategies, mounted at /strategies: the registry (each with its algo id, limits and state) and
 * each strategy's kill switch (docs/strategies.md).
 *
 * @module
 */
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import { listStrategies } from '../../db/strategies.ts';
import { defaultStrategy } from '../../domain/strategy.ts';
import { actorOf } from '../../security/principal.ts';
import { type AppEnv, principalOf, requestFacts } from '../context.ts';
import type { AppDeps } from '../deps.ts';
import { problem } from '../schemas/common.ts';
import { toLimits } from '../schemas/risk.ts';
import { HaltStrategyBody, NewStrategyBody, strategyView, StrategyView, webhookView, WebhookView } from '../schemas/strategies.ts';
import { createStrategy, haltStrategy, resumeStrategy, rotateWebhookToken } from '../services/strategies.ts';
import { validationHook } from '../validation.ts';

const json = <T extends z.ZodTypeAny>(description: string, schema: T) => ({ description, content: { 'application/json': { schema } } });
const Id = z.object({ id: z.string().min(1).max(64).openapi({ param: { name: 'id', in: 'path' }, example: 'stg_0b7c4f0e-5d0a-4c57-9d0c-2a4f1f0e9b11' }) });

const list = createRoute({
  method: 'get',
  path: '/',
  tags: ['strategies'],
  summary: "The account's strategies, the default first, with their algo id, limits and state",
  responses: { 200: json('Strategies', z.object({ strategies: z.array(StrategyView) })) },
});
const create = createRoute({
  method: 'post',
  path: '/',
  tags: ['strategies'],
  summary: 'Register a strategy with its exchange algo id and, optionally, limits of its own (audited)',
  request: { body: { content: { 'application/json': { schema: NewStrategyBody } }, required: true } },
  responses: {
    201: json('Created, with its TradingView webhook URL (shown this once)', StrategyView.extend({ webhook: WebhookView })),
    400: problem('Not valid (a bad name or algo id): `errors` names each field'),
    409: problem('The account already has a strategy of that name (`strategy-name-taken`)'),
  },
});
const rotate = createRoute({
  method: 'post',
  path: '/{id}/webhook-token',
  tags: ['strategies'],
  summary: "A new TradingView webhook URL for the strategy (shown this once); the old URL stops working at once (audited)",
  request: { params: Id },
  responses: { 200: json('The new URL', StrategyView.extend({ webhook: WebhookView })), 404: problem('No such strategy') },
});
const halt = createRoute({
  method: 'post',
  path: '/{id}/halt',
  tags: ['strategies'],
  summary: "One strategy's kill switch: its new entries are refused (STRATEGY_HALTED), its working entries cancelled, and with flatten its positions closed; other strategies keep trading (audited)",
  request: { params: Id, body: { content: { 'application/json': { schema: HaltStrategyBody } }, required: true } },
  responses: {
    200: json('Halted', StrategyView.extend({ flattening: z.boolean(), tradesAsked: z.number().int(), tradesNotReached: z.number().int().openapi({ description: 'Trades that did not take the cancel or exit; halting again asks again' }) })),
    404: problem('No such strategy'),
    409: problem('The default strategy has no kill switch of its own (`default-strategy`): POST /risk/halt halts the account'),
  },
});
const resume = createRoute({
  method: 'post',
  path: '/{id}/resume',
  tags: ['strategies'],
  summary: 'The strategy takes new entries again (audited)',
  request: { params: Id },
  responses: { 200: json('Active', StrategyView), 404: problem('No such strategy'), 409: problem('The default strategy has no kill switch of its own') },
});

export function strategyRoutes({ sql, config, temporal, audit }: Pick<AppDeps, 'sql' | 'config' | 'temporal' | 'audit'>) {
  return new OpenAPIHono<AppEnv>({ defaultHook: validationHook })
    .openapi(list, async (c) => {
      const accountId = principalOf(c).accountId;
      const strategies = [defaultStrategy(accountId, config.account.ALGO_ID), ...(await listStrategies(sql, accountId))];
      return c.json({ strategies: strategies.map(strategyView) }, 200);
    })
    .openapi(create, async (c) => {
      const principal = principalOf(c);
      const body = c.req.valid('json');
      const made = await createStrategy({ sql, audit }, principal.accountId, { name: body.name, algoId: body.algoId, limits: toLimits(body.limits ?? {}) }, actorOf(principal), requestFacts(c).requestId);
      return c.json({ ...strategyView(made.strategy), webhook: webhookView(c.req.url, made.webhookToken) }, 201);
    })
    .openapi(rotate, async (c) => {
      const principal = principalOf(c);
      const made = await rotateWebhookToken({ sql, audit }, principal.accountId, c.req.valid('param').id, actorOf(principal), requestFacts(c).requestId);
      return c.json({ ...strategyView(made.strategy), webhook: webhookView(c.req.url, made.webhookToken) }, 200);
    })
    .openapi(halt, async (c) => {
      const principal = principalOf(c);
      const body = c.req.valid('json');
      // Before the trades are asked to cancel or exit, the request is handed over: from then on no
      // answer may say "nothing happened". Refused (Temporal down, or already answered), they are not asked.
      const mayAsk = async () => {
        try {
          await c.get('deadline')?.handOver({ retry: 'Retry the halt: halting twice halts once, and asks the trades again.', extra: { state: 'HALTED' } });
          return true;
        } catch {
          return false;
        }
      };
      const outcome = await haltStrategy({ sql, audit, temporal }, principal.accountId, c.req.valid('param').id, body, actorOf(principal), mayAsk, requestFacts(c).requestId);
      return c.json({ ...strategyView(outcome.strategy), flattening: body.flatten, tradesAsked: outcome.tradesAsked, tradesNotReached: outcome.tradesNotReached }, 200);
    })
    .openapi(resume, async (c) => {
      const principal = principalOf(c);
      const strategy = await resumeStrategy({ sql, audit }, principal.accountId, c.req.valid('param').id, actorOf(principal), requestFacts(c).requestId);
      return c.json(strategyView(strategy), 200);
    });
}
