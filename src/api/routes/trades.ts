/**
 * Trades, mounted at /trades: enter (update-with-start of the trade workflow, keyed by
 * Idempotency-Key), read, list, exit, cancel, and the timeline of audit records. The API never
 * calls the broker; it starts, updates and reads.
 *
 * @module
 */
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { tradeTimeline } from '../../audit/queries.ts';
import { ordersOfTrade } from '../../db/orders.ts';
import { getTrade, listTrades, type TradeRow } from '../../db/trades.ts';
import { AppError, BusinessRuleError, ConflictError, NotFoundError } from '../../domain/errors.ts';
import { tradeWorkflowId } from '../../domain/ids.ts';
import { istInstant } from '../../domain/market-calendar.ts';
import { FINAL_STATUSES, TRADE_STATUSES } from '../../domain/trade.ts';
import { actorOf } from '../../security/principal.ts';
import { cancelTrade, exitTrade } from '../../temporal/trades.ts';
import { changeProtection } from '../services/change-protection.ts';
import { enterTrade } from '../services/enter-trade.ts';
import { type AppEnv, principalOf, requestFacts } from '../context.ts';
import type { AppDeps } from '../deps.ts';
import { AuditRecord } from '../schemas/audit.ts';
import { ProtectionBody, toProtectionChange } from '../schemas/protection.ts';
import { IdempotencyHeader, toTradeRequest, TradeRequestBody } from '../schemas/trades.ts';
import { fromTemporalError } from '../temporal-errors.ts';
import { validationHook } from '../validation.ts';
import { tradeView } from '../views/trade.ts';
import { problem } from '../schemas/common.ts';

const Trade = z.record(z.string(), z.unknown()).openapi('Trade', {
  description:
    'A trade: status, legs, fills and P&L (rupees). Read alone (GET and PATCH /trades/{id}) it also has `protection`: `stopLoss` and `target` in force, `trailingStop` ({ rupees } or { percent }, null when not trailing) and `trailedStop`, where the trail has moved the stop (null when not trailing)',
});
const EntryAccepted = z
  .object({ id: z.string(), workflowId: z.string(), outcome: z.enum(['accepted', 'unknown']), status: z.literal('PENDING').optional(), detail: z.string().optional(), retry: z.string().optional() })
  .openapi('EntryAccepted');
/** After the hand-over a 5xx never comes: the outcome is known (200/201/202/4xx) or 202 `unknown`. */
const handedOverAnswers = (what: string) => ({
  202: { description: `${what} requested, or its outcome unknown (\`outcome: "unknown"\`): retry the same request, which is safe`, content: { 'application/json': { schema: Trade } } },
  503: problem(`Not sent (\`outcome: "not-placed"\`): a dependency is down; retry after \`Retry-After\``),
});
const TradeId = z.object({ id: z.string().regex(/^t[a-z2-7]{15}$/).openapi({ param: { name: 'id', in: 'path' } }) });

const enter = createRoute({
  method: 'post',
  path: '/',
  tags: ['trades'],
  summary: 'Enter a trade (idempotent by Idempotency-Key)',
  request: { headers: IdempotencyHeader, body: { content: { 'application/json': { schema: TradeRequestBody } }, required: true } },
  responses: {
    200: { description: 'Placed earlier: the trade this Idempotency-Key already made', content: { 'application/json': { schema: Trade } } },
    201: { description: 'Placed: filled (OPEN) or still working (PENDING); `Location` is the trade', content: { 'application/json': { schema: Trade } } },
    202: {
      description:
        'Placed or unknown; `Location` is the trade. `outcome: "accepted"`: started, not yet through its risk check (poll `Location`). `outcome: "unknown"`: handed to the workflow engine, which did not confirm in time: retry with the same Idempotency-Key (it joins this trade, never makes a second)',
      content: { 'application/json': { schema: EntryAccepted } },
    },
    422: problem('Rejected by the risk manager (`violations`), or the key was used for another request: nothing placed'),
    503: problem('Not placed (`outcome: "not-placed"`): a dependency is down or the request ran out of time before it reached the workflow engine; retry after `Retry-After`'),
  },
});

const list = createRoute({
  method: 'get',
  path: '/',
  tags: ['trades'],
  summary: 'Trades, newest first',
  request: {
    query: z.object({
      status: z.enum(TRADE_STATUSES).optional(),
      symbol: z.string().max(32).optional(),
      day: z.string().regex(/^\d{4}-\d{2}-\d{2}$/).optional().openapi({ description: 'IST trading day' }),
      limit: z.coerce.number().int().min(1).max(200).default(50),
      cursor: z.string().max(200).optional(),
    }),
  },
  responses: { 200: { description: 'A page of trades', content: { 'application/json': { schema: z.object({ trades: z.array(Trade), nextCursor: z.string().nullable() }) } } } },
});

const read = createRoute({
  method: 'get',
  path: '/{id}',
  tags: ['trades'],
  summary: 'One trade with its legs',
  request: { params: TradeId },
  responses: { 200: { description: 'The trade', content: { 'application/json': { schema: Trade } } }, 404: problem('No such trade') },
});

const exit = createRoute({
  method: 'post',
  path: '/{id}/exit',
  tags: ['trades'],
  summary: 'Request the exit of an open trade',
  request: { params: TradeId },
  responses: {
    200: { description: 'The trade is already closed', content: { 'application/json': { schema: Trade } } },
    ...handedOverAnswers('Exit'),
  },
});

const change = createRoute({
  method: 'patch',
  path: '/{id}',
  tags: ['trades'],
  summary: 'Change the stop-loss, target or trailing stop of an open trade (its resting orders at the broker move with it)',
  request: {
    params: TradeId,
    body: { content: { 'application/json': { schema: ProtectionBody } }, required: true },
  },
  responses: {
    200: { description: 'The trade with its new levels', content: { 'application/json': { schema: Trade } } },
    400: problem('The body is not of the right shape (`validation-failed`): not an object, an unknown field, a string where a number goes, nothing to change'),
    409: problem('The trade is not open'),
    422: problem(
      'Nothing changed: a value that cannot work as a stop (`protection-invalid`: zero or negative, more than two decimals, a percent outside (0, 50], both or neither of `rupees` and `percent`; `errors` points at each field), a level on the wrong side of the last price (`protection-wrong-side`), or no price seen yet (`price-unavailable`)',
    ),
  },
});

const cancel = createRoute({
  method: 'post',
  path: '/{id}/cancel',
  tags: ['trades'],
  summary: 'Cancel a working entry',
  request: { params: TradeId },
  responses: {
    200: { description: 'The trade is already final', content: { 'application/json': { schema: Trade } } },
    ...handedOverAnswers('Cancel'),
    409: problem('The entry has filled: exit the trade instead'),
  },
});

const timeline = createRoute({
  method: 'get',
  path: '/{id}/timeline',
  tags: ['trades'],
  summary: 'Every audit record of the trade, in order',
  request: { params: TradeId },
  responses: { 200: { description: 'The trade timeline', content: { 'application/json': { schema: z.object({ tradeId: z.string(), events: z.array(AuditRecord) }) } } } },
});

const encodeCursor = (t: TradeRow) => Buffer.from(JSON.stringify([t.createdAt.toISOString(), t.id])).toString('base64url');
function decodeCursor(cursor: string): { createdAt: Date; id: string } {
  try {
    const [at, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as [string, string];
    const createdAt = new Date(at);
    if (Number.isNaN(createdAt.getTime()) || typeof id !== 'string') throw new Error('bad cursor');
    return { createdAt, id };
  } catch {
    throw new AppError('invalid-cursor', 'The cursor is not valid', { category: 'validation', status: 400 });
  }
}

export function tradeRoutes(deps: Pick<AppDeps, 'config' | 'sql' | 'temporal'>) {
  const { config, sql, temporal } = deps;
  /** One trade (`withLegs`: read alone) shows its legs and the protection in force; a list does not. */
  const view = async (trade: TradeRow, withLegs = true) => {
    if (!withLegs) return tradeView(trade, config.temporal.TEMPORAL_UI_URL, config.temporal.TEMPORAL_NAMESPACE);
    const legs = await ordersOfTrade(sql, trade.id);
    return tradeView(trade, config.temporal.TEMPORAL_UI_URL, config.temporal.TEMPORAL_NAMESPACE, legs, { trailingStop: trade.trailingStop });
  };
  const loadOwn = async (c: Context<AppEnv>, id: string) => {
    const trade = await getTrade(sql, id, principalOf(c).accountId);
    if (!trade) throw new NotFoundError(`trade ${id}`);
    return trade;
  };
  /** The answer to an entry: 422 with violations when risk rejected it, else the trade. */
  const entryResponse = async (c: Context<AppEnv>, trade: TradeRow, status: 200 | 201) => {
    if (trade.status === 'REJECTED' && trade.violations?.length) {
      throw new BusinessRuleError('risk-rejected', `Rejected by the risk manager: ${trade.violations.map((v) => v.rule).join(', ')}`, {
        tradeId: trade.id,
        violations: trade.violations,
      });
    }
    if (status === 200) c.header('Idempotent-Replayed', 'true');
    return c.json(await view(trade), status);
  };
  /**
   * Send the workflow an exit or cancel request, then answer with the trade as it is now: 200 when
   * it is final (also when it became final before the request reached it), else 202.
   */
  const requestAndView = async (c: Context<AppEnv>, trade: TradeRow, what: 'exit' | 'cancel', request: () => Promise<unknown>) => {
    await c.get('deadline')?.handOver({
      tradeId: trade.id,
      location: `/trades/${trade.id}`,
      retry: `Retry POST /trades/${trade.id}/${what}: asked twice, the trade ${what === 'exit' ? 'exits' : 'is cancelled'} once.`,
    });
    try {
      await request();
    } catch (err) {
      const mapped = fromTemporalError(err, `trade ${trade.id}`);
      if (mapped.code !== 'trade-final') throw mapped;
    }
    const now = (await getTrade(sql, trade.id))!;
    return c.json(await view(now), FINAL_STATUSES.includes(now.status) ? 200 : 202);
  };

  return new OpenAPIHono<AppEnv>({ defaultHook: validationHook })
    .openapi(enter, async (c) => {
      const principal = principalOf(c);
      const outcome = await enterTrade(deps, {
        accountId: principal.accountId,
        idempotencyKey: c.req.valid('header')['idempotency-key'],
        request: toTradeRequest(c.req.valid('json')),
        requestedBy: actorOf(principal),
        ...requestFacts(c),
        source: 'api',
        deadline: c.get('deadline'),
      });
      const id = outcome.kind === 'pending' ? outcome.tradeId : outcome.trade.id;
      c.header('Location', `/trades/${id}`);
      if (outcome.kind === 'pending') {
        return c.json({ id, status: 'PENDING', outcome: 'accepted', workflowId: tradeWorkflowId(id) }, 202) as never;
      }
      return entryResponse(c, outcome.trade, outcome.created ? 201 : 200) as never;
    })
    .openapi(list, async (c) => {
      const q = c.req.valid('query');
      const trades = await listTrades(sql, {
        accountId: principalOf(c).accountId,
        status: q.status,
        symbol: q.symbol,
        from: q.day ? istInstant(q.day, '00:00') : undefined,
        to: q.day ? new Date(istInstant(q.day, '00:00').getTime() + 86_400_000) : undefined,
        before: q.cursor ? decodeCursor(q.cursor) : undefined,
        limit: q.limit + 1,
      });
      const page = trades.slice(0, q.limit);
      const next = trades.length > q.limit ? encodeCursor(page[page.length - 1]!) : null;
      return c.json({ trades: await Promise.all(page.map((t) => view(t, false))), nextCursor: next }, 200);
    })
    .openapi(read, async (c) => c.json(await view(await loadOwn(c, c.req.valid('param').id)), 200))
    .openapi(exit, async (c) => {
      const trade = await loadOwn(c, c.req.valid('param').id);
      if (FINAL_STATUSES.includes(trade.status)) return c.json(await view(trade), 200);
      return requestAndView(c, trade, 'exit', () => exitTrade(temporal, trade.id, { reason: 'REQUESTED', requestedBy: actorOf(principalOf(c)), requestId: c.get('requestId') }));
    })
    .openapi(change, async (c) => {
      const trade = await loadOwn(c, c.req.valid('param').id);
      const levels = toProtectionChange(c.req.valid('json'));
      try {
        await changeProtection({ sql, temporal }, trade, levels, actorOf(principalOf(c)), c.get('requestId'));
      } catch (err) {
        throw err instanceof AppError ? err : fromTemporalError(err, `trade ${trade.id}`);
      }
      return c.json(await view((await getTrade(sql, trade.id))!), 200);
    })
    .openapi(cancel, async (c) => {
      const trade = await loadOwn(c, c.req.valid('param').id);
      if (FINAL_STATUSES.includes(trade.status)) return c.json(await view(trade), 200);
      if (trade.status !== 'PENDING') throw new ConflictError('trade-state-conflict', `The entry has filled (status ${trade.status}); exit the trade instead`);
      return requestAndView(c, trade, 'cancel', () => cancelTrade(temporal, trade.id, actorOf(principalOf(c)), c.get('requestId')));
    })
    .openapi(timeline, async (c) => {
      const { id } = c.req.valid('param');
      await loadOwn(c, id);
      return c.json({ tradeId: id, events: await tradeTimeline(sql, id) }, 200);
    });
}
