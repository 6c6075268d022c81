/**
 * The broker, the operator's way (admin): set the day's Breeze session from the API_Session of
 * ICICI's browser login (POST /broker/session, Breeze only), and see which broker is in use,
 * whether today's session is set and believed valid, and what is left of the shared call budget
 * (GET /broker/status). Neither answer ever carries the API_Session or the session token.
 * Mounted at /broker. Breeze is reached only through its operator desk (../breeze-desk.ts): the
 * session login and the budget counters, never a broker client.
 *
 * @module
 */
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import { getAccount } from '../../db/accounts.ts';
import { breezeSessionState } from '../../db/breeze-sessions.ts';
import { AppError } from '../../domain/errors.ts';
import { actorOf } from '../../security/principal.ts';
import { type AppEnv, principalOf, requestFacts } from '../context.ts';
import type { AppDeps } from '../deps.ts';
import { validationHook } from '../validation.ts';
import { JsonObject, problem } from '../schemas/common.ts';

const SessionBody = z
  .object({ apiSession: z.string().trim().regex(/^[A-Za-z0-9_-]{1,128}$/, 'the API_Session shown after the ICICI login').openapi({ description: "The day's API_Session from ICICI's browser login" }) })
  .strict()
  .openapi('BrokerSessionRequest');

const setSession = createRoute({
  method: 'post',
  path: '/session',
  tags: ['broker'],
  summary: "Set the day's Breeze session from the API_Session of ICICI's browser login (BROKER=breeze only)",
  request: { body: { content: { 'application/json': { schema: SessionBody } }, required: true } },
  responses: {
    200: { description: 'Set for every worker: the trading day and the ICICI user id', content: { 'application/json': { schema: JsonObject } } },
    404: problem('The broker is not Breeze'),
    422: problem('Breeze refused the API_Session'),
  },
});

const status = createRoute({
  method: 'get',
  path: '/status',
  tags: ['broker'],
  summary: "The broker in use, today's session and the remaining call budget",
  responses: { 200: { description: 'Broker status', content: { 'application/json': { schema: JsonObject } } } },
});

export function brokerRoutes({ config, sql, breeze }: Pick<AppDeps, 'config' | 'sql' | 'breeze'>) {
  const breezeOnly = () => {
    if (!breeze) throw new AppError('breeze-broker-off', 'The broker is not Breeze (BROKER is not breeze)', { category: 'not_found', status: 404 });
    return breeze;
  };

  return new OpenAPIHono<AppEnv>({ defaultHook: validationHook })
    .openapi(setSession, async (c) => {
      const desk = breezeOnly();
      const principal = principalOf(c);
      const { requestId, clientIp } = requestFacts(c);
      const set = await desk.setSession(c.req.valid('json').apiSession, {
        actor: actorOf(principal),
        via: 'api',
        accountId: principal.accountId,
        requestId,
        clientIp,
      });
      return c.json({ broker: 'breeze', ...set }, 200);
    })
    .openapi(status, async (c) => {
      const account = await getAccount(sql, principalOf(c).accountId);
      const trading = account ? { state: account.tradingState, reason: account.stateReason, since: account.stateChangedAt.toISOString() } : null;
      if (!breeze) return c.json({ broker: config.broker.BROKER, trading, session: null, budget: null }, 200);
      const tradingDay = breeze.tradingDay();
      const stored = await breezeSessionState(sql, tradingDay);
      const left = await breeze.remainingBudget();
      return c.json(
        {
          broker: 'breeze',
          trading,
          session: {
            tradingDay,
            set: stored !== undefined,
            // believed valid: set, and no worker has met Breeze refusing it since
            valid: stored !== undefined && stored.expiredAt === null,
            userId: stored?.userId ?? null,
            setAt: stored?.setAt.toISOString() ?? null,
            expiredAt: stored?.expiredAt?.toISOString() ?? null,
            // exchanged at first use when nothing is stored for the day
            apiSessionInSettings: Boolean(config.broker.BREEZE_API_SESSION),
          },
          budget: {
            limits: { orderActionsPerSecond: config.broker.BROKER_MAX_ORDERS_PER_SECOND, callsPerMinute: config.broker.BROKER_CALLS_PER_MINUTE, callsPerDay: config.broker.BROKER_CALLS_PER_DAY },
            left: left ? { orderActionsThisSecond: left.secondLeft, callsThisMinute: left.minuteLeft, callsToday: left.dayLeft } : null,
          },
        },
        200,
      );
    });
}
