/**
 * Risk: the trading state, limits and their usage, limit changes (maker-checker), the kill switch
 * (halt, with optional flatten) and resume, and the open positions.
 *
 * @module
 */
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import { getAccount } from '../../db/accounts.ts';
import { readBook } from '../../db/book.ts';
import { holidaysOf } from '../../db/market-holidays.ts';
import { pendingLimitChanges, type LimitChange } from '../../db/risk-limits.ts';
import { NotFoundError } from '../../domain/errors.ts';
import { marketStatus, pastIntradayCutoff } from '../../domain/market-calendar.ts';
import { paiseToRupees } from '../../domain/money.ts';
import { riskUsage } from '../../domain/risk/usage.ts';
import { grossPnl, instrumentKey } from '../../domain/trade.ts';
import { actorOf } from '../../security/principal.ts';
import { haltTrading, readBreakerState, resumeTrading } from '../../temporal/circuit-breaker.ts';
import type { BreakerState } from '../../workflows/messages.ts';
import { type AppDeps, type AppEnv, principalOf, requestFacts } from '../context.ts';
import { limitsView, LimitsBody, toLimits } from '../schemas/risk.ts';
import { decideOnLimitChange, requestLimitChange } from '../services/limit-changes.ts';
import { fromTemporalError } from '../temporal-errors.ts';
import { validationHook } from '../validation.ts';
import { jsonObject } from '../schemas/common.ts';


const status = createRoute({ method: 'get', path: '/risk/status', tags: ['risk'], summary: 'Trading state, limits and how much of each is used', responses: { 200: jsonObject('Risk status') } });
const putLimits = createRoute({
  method: 'put',
  path: '/risk/limits',
  tags: ['risk'],
  summary: 'Change limits: tightening applies now, loosening waits for a second admin (202)',
  request: { body: { content: { 'application/json': { schema: LimitsBody } }, required: true } },
  responses: { 200: jsonObject('Applied'), 202: jsonObject('Tightening applied, loosening pending approval') },
});
const listChanges = createRoute({ method: 'get', path: '/risk/limits/changes', tags: ['risk'], summary: 'Limit loosenings waiting for approval', responses: { 200: jsonObject('Pending changes') } });
const ChangeId = z.object({ id: z.coerce.number().int().positive().openapi({ param: { name: 'id', in: 'path' } }) });
const approve = createRoute({ method: 'post', path: '/risk/limits/changes/{id}/approve', tags: ['risk'], summary: 'Approve a loosening (a different admin)', request: { params: ChangeId }, responses: { 200: jsonObject('Applied') } });
const reject = createRoute({ method: 'post', path: '/risk/limits/changes/{id}/reject', tags: ['risk'], summary: 'Reject a loosening', request: { params: ChangeId }, responses: { 200: jsonObject('Rejected') } });
const halt = createRoute({
  method: 'post',
  path: '/risk/halt',
  tags: ['risk'],
  summary: 'Kill switch: halt trading (cancels working entries; flatten closes every position)',
  request: {
    body: {
      content: { 'application/json': { schema: z.object({ reason: z.string().min(1).max(500), flatten: z.boolean().default(false), minimumHoldMinutes: z.number().int().min(0).max(24 * 60).optional() }).strict() } },
      required: true,
    },
  },
  responses: { 200: jsonObject('Halted') },
});
const resume = createRoute({ method: 'post', path: '/risk/resume', tags: ['risk'], summary: 'Back to ACTIVE (admin)', responses: { 200: jsonObject('Resumed'), 409: { description: 'Within the minimum hold' } } });
const positions = createRoute({ method: 'get', path: '/positions', tags: ['trades'], summary: 'Open positions with unrealized P&L', responses: { 200: jsonObject('Positions') } });

const rupees = (p: number | null | undefined) => (p === null || p === undefined ? null : paiseToRupees(p));
const changeView = (ch: LimitChange) => ({ id: ch.id, requestedBy: ch.requestedBy, requestedAt: ch.requestedAt.toISOString(), status: ch.status, old: limitsView(ch.oldLimits), proposed: ch.newLimits });
const stateView = (s: BreakerState) => ({ tradingState: s.tradingState, reason: s.reason ?? null, since: s.since, resumeNotBefore: s.resumeNotBefore ?? null });

export function riskRoutes(deps: AppDeps) {
  const { sql, config, temporal } = deps;
  const ctx = { sql, config, audit: deps.audit };

  const accountOf = async (accountId: string) => {
    const account = await getAccount(sql, accountId);
    if (!account) throw new NotFoundError(`account ${accountId}`);
    return account;
  };
  const marketContext = (now: Date, holidays: Set<string>) => {
    const m = marketStatus(now, config.MARKET_HOURS, holidays);
    return { status: m, context: { open: m.open, closedReason: m.reason, pastIntradayCutoff: pastIntradayCutoff(now, config.MARKET_HOURS, config.SQUARE_OFF_TIME), now, maxQuoteAgeMs: config.QUOTE_MAX_AGE_S * 1000 } };
  };

  return new OpenAPIHono<AppEnv>({ defaultHook: validationHook })
    .openapi(status, async (c) => {
      const account = await accountOf(principalOf(c).accountId);
      const now = new Date();
      const { book, limits } = await readBook(sql, config, account, now);
      const market = marketContext(now, await holidaysOf(sql, 'NSE'));
      const usage = riskUsage(book, limits, market.context);
      return c.json(
        {
          accountId: account.id,
          tradingState: account.tradingState,
          reason: account.stateReason,
          since: account.stateChangedAt.toISOString(),
          resumeNotBefore: account.resumeNotBefore?.toISOString() ?? null,
          capital: rupees(account.capitalPaise),
          limits: limitsView(limits),
          usage: {
            openPositions: usage.openPositions,
            dailyLoss: {
              used: rupees(usage.dailyLoss.used),
              limit: rupees(usage.dailyLoss.limit),
              ratio: usage.dailyLoss.ratio,
              realized: rupees(usage.dailyLoss.realizedPaise),
              unrealized: rupees(usage.dailyLoss.unrealizedPaise),
            },
            largestPositionQuantity: usage.largestPositionQuantity,
            largestConcentration: { used: rupees(usage.largestConcentration.used), limit: rupees(usage.largestConcentration.limit), ratio: usage.largestConcentration.ratio },
            ordersLastSecond: usage.ordersLastSecond,
          },
          market: { phase: market.status.phase, open: market.status.open, reason: market.status.reason ?? null, tradingDay: market.status.tradingDay, squareOffTime: config.SQUARE_OFF_TIME, hours: config.MARKET_HOURS },
          pendingLimitChanges: (await pendingLimitChanges(sql, account.id)).length,
        },
        200,
      );
    })
    .openapi(putLimits, async (c) => {
      const principal = principalOf(c);
      const outcome = await requestLimitChange(ctx, principal.accountId, toLimits(c.req.valid('json')), actorOf(principal), c.get('requestId'));
      return c.json({ limits: limitsView(outcome.limits), applied: Object.keys(outcome.applied), pending: outcome.pending ? changeView(outcome.pending) : null }, outcome.pending ? 202 : 200);
    })
    .openapi(listChanges, async (c) => c.json({ changes: (await pendingLimitChanges(sql, principalOf(c).accountId)).map(changeView) }, 200))
    .openapi(approve, async (c) => {
      const principal = principalOf(c);
      const outcome = await decideOnLimitChange(ctx, principal.accountId, c.req.valid('param').id, true, actorOf(principal), c.get('requestId'));
      return c.json({ limits: limitsView(outcome.limits), applied: Object.keys(outcome.applied) }, 200);
    })
    .openapi(reject, async (c) => {
      const principal = principalOf(c);
      const outcome = await decideOnLimitChange(ctx, principal.accountId, c.req.valid('param').id, false, actorOf(principal), c.get('requestId'));
      return c.json({ limits: limitsView(outcome.limits), applied: [] }, 200);
    })
    .openapi(halt, async (c) => {
      const principal = principalOf(c);
      const body = c.req.valid('json');
      try {
        const state = await haltTrading(temporal, config, principal.accountId, {
          reason: body.reason,
          flatten: body.flatten,
          requestedBy: actorOf(principal),
          minimumHoldMs: body.minimumHoldMinutes ? body.minimumHoldMinutes * 60_000 : undefined,
          requestId: requestFacts(c).requestId,
        });
        return c.json({ ...stateView(state), flattening: body.flatten }, 200);
      } catch (err) {
        throw fromTemporalError(err, 'the circuit breaker');
      }
    })
    .openapi(resume, async (c) => {
      const principal = principalOf(c);
      try {
        const state = await resumeTrading(temporal, config, principal.accountId, { requestedBy: actorOf(principal), requestId: c.get('requestId') });
        return c.json(stateView(state), 200);
      } catch (err) {
        throw fromTemporalError(err, 'the circuit breaker');
      }
    })
    .openapi(positions, async (c) => {
      const account = await accountOf(principalOf(c).accountId);
      const now = new Date();
      const { openTrades, prices } = await readBook(sql, config, account, now);
      const breaker = await readBreakerState(temporal, account.id);
      const rows = openTrades.map((t) => {
        const last = prices.get(instrumentKey(t.instrument));
        const unrealized = last && t.entryPricePaise !== null ? grossPnl(t.side, t.filledQuantity, t.entryPricePaise, last.pricePaise) : undefined;
        return {
          tradeId: t.id,
          status: t.status,
          symbol: t.instrument.symbol,
          exchange: t.instrument.exchange,
          product: t.instrument.product,
          side: t.side,
          quantity: t.filledQuantity,
          entryPrice: rupees(t.entryPricePaise),
          lastPrice: rupees(last?.pricePaise),
          lastPriceAt: last?.at.toISOString() ?? null,
          unrealizedPnl: rupees(unrealized),
          stopLoss: rupees(t.stopLossPaise),
          target: rupees(t.targetPaise),
          openedAt: t.openedAt?.toISOString() ?? null,
        };
      });
      return c.json({ positions: rows, tradingState: breaker?.tradingState ?? account.tradingState }, 200);
    });
}
