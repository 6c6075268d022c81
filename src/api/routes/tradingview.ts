/**
 * TradingView alerts, mounted at /webhooks: POST /webhooks/tradingview/{token}, the URL a strategy
 * was given (docs/tradingview.md). TradingView sends no header, so the token in the path is the
 * credential: an unknown one is 404, as for any path. The body is the alert message (JSON, values
 * as strings, sent as text/plain when TradingView did not see JSON). The alert is recorded, its
 * workflow started (acted on durably after: entry, exit, reverse or nothing), and the answer is
 * 202 at once; TradingView gives up after 3 s and resends only on a 5xx, so a 5xx is answered only
 * when nothing was started (a resend is then safe). The same alert twice is one action.
 *
 * @module
 */
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import { strategyByTokenHash } from '../../db/strategies.ts';
import { recordAlert } from '../../db/tradingview-alerts.ts';
import { NotFoundError, ValidationError } from '../../domain/errors.ts';
import { EXCHANGES } from '../../domain/trade.ts';
import { exchangeOfAlert } from '../../domain/tradingview.ts';
import { hashWebhookToken, WEBHOOK_TOKEN, webhookTokenMatches } from '../../security/webhook-tokens.ts';
import { startAlertWorkflow } from '../../temporal/tradingview.ts';
import type { AppEnv } from '../context.ts';
import type { AppDeps } from '../deps.ts';
import { problem } from '../schemas/common.ts';
import { fromTemporalError } from '../temporal-errors.ts';
import { fieldProblems, validationHook } from '../validation.ts';

const text = z.union([z.string(), z.number()]).transform((v) => String(v).trim());
const AlertBody = z
  .object({
    exchange: text.pipe(z.string().transform(exchangeOfAlert).pipe(z.enum(EXCHANGES))).openapi({ example: 'NSE' }),
    ticker: text.pipe(z.string().transform((t) => t.toUpperCase()).pipe(z.string().regex(/^[A-Z0-9][A-Z0-9&_-]{0,31}$/, 'an exchange symbol'))).openapi({ example: 'RELIANCE' }),
    action: text.pipe(z.string().transform((a) => a.toLowerCase()).pipe(z.enum(['buy', 'sell']))).openapi({ example: 'buy' }),
    contracts: text.pipe(z.string().regex(/^\d+(\.0+)?$/, 'a whole number of contracts').transform(Number).pipe(z.number().int().positive().max(1_000_000))).openapi({ example: '10' }),
    market_position: text.pipe(z.string().transform((a) => a.toLowerCase()).pipe(z.enum(['long', 'short', 'flat']))).openapi({ example: 'long' }),
    order_id: text.pipe(z.string().min(1).max(128)).openapi({ example: 'Long' }),
    time: text.pipe(z.string().min(1).max(64)).openapi({ example: '2026-12-04T04:15:00Z' }),
  })
  .openapi('TradingViewAlert');

const receive = createRoute({
  method: 'post',
  path: '/tradingview/{token}',
  tags: ['webhooks'],
  summary: "A TradingView alert for the strategy whose webhook URL this is: entry, exit, reverse or flat by `market_position`, acted on once per (`order_id`, `time`)",
  description:
    'Paste into the TradingView alert message: `{"exchange": "{{exchange}}", "ticker": "{{ticker}}", "action": "{{strategy.order.action}}", "contracts": "{{strategy.order.contracts}}", ' +
    '"market_position": "{{strategy.market_position}}", "order_id": "{{strategy.order.id}}", "time": "{{timenow}}"}`. Sent as `application/json` or `text/plain`. ' +
    "`market_position` long or short with nothing held enters; the opposite side held reverses (exit, then enter); the same side held does nothing (audited); flat exits the strategy's position in the symbol.",
  request: {
    params: z.object({ token: z.string().openapi({ param: { name: 'token', in: 'path' }, description: "The secret token of the strategy's webhook URL" }) }),
    body: { content: { 'application/json': { schema: AlertBody }, 'text/plain': { schema: z.string() } }, required: false },
  },
  responses: {
    202: {
      description: 'Accepted: recorded and handed to its workflow (or the same alert came before: `duplicate: true`, nothing more is done)',
      content: { 'application/json': { schema: z.object({ alertId: z.number().int(), outcome: z.literal('accepted'), duplicate: z.boolean() }) } },
    },
    400: problem('Not a valid alert: `errors` names each field'),
    404: problem('No strategy has this webhook URL'),
    503: problem('Nothing started (a dependency is down): TradingView resends'),
  },
});

export function tradingViewRoutes(deps: Pick<AppDeps, 'sql' | 'config' | 'temporal'>) {
  const { sql, config, temporal } = deps;
  // The body is read raw as well: TradingView sends text/plain when it did not see JSON.
  return new OpenAPIHono<AppEnv>({ defaultHook: validationHook }).openapi(
    receive,
    async (c) => {
      const { token } = c.req.valid('param');
      const strategy = WEBHOOK_TOKEN.test(token) ? await strategyByTokenHash(sql, hashWebhookToken(token)) : undefined;
      if (!strategy || !webhookTokenMatches(token, strategy.webhookTokenHash)) throw new NotFoundError('This webhook');

      let body: unknown;
      try {
        body = JSON.parse(await c.req.text());
      } catch {
        throw new ValidationError('The alert message is not JSON: paste the template from the API docs into the alert dialog');
      }
      const parsed = AlertBody.safeParse(body);
      if (!parsed.success) throw new ValidationError('The alert is not valid; see errors for each field', fieldProblems(parsed.error, 'json'));
      const a = parsed.data;
      const alert = { exchange: a.exchange, ticker: a.ticker, action: a.action, contracts: a.contracts, marketPosition: a.market_position, orderId: a.order_id, time: a.time };

      const { row, fresh } = await recordAlert(sql, { strategyId: strategy.id, accountId: strategy.accountId, orderId: alert.orderId, alertTime: alert.time, body: body as Record<string, unknown> });
      if (!fresh && row.outcome !== null) return c.json({ alertId: row.id, outcome: 'accepted' as const, duplicate: true }, 202);
      let started: boolean;
      try {
        started = await startAlertWorkflow(temporal, config, {
          alertRowId: row.id,
          accountId: strategy.accountId,
          strategyId: strategy.id,
          strategyName: strategy.name,
          alert,
          requestId: c.get('requestId'),
          clientIp: c.get('clientIp'),
        });
      } catch (err) {
        throw fromTemporalError(err, `the alert ${row.id}`);
      }
      return c.json({ alertId: row.id, outcome: 'accepted' as const, duplicate: !started }, 202);
    },
  );
}
