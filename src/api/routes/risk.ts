/**
 * Risk, mounted at /risk: the trading state, limits and their usage, limit changes
 * (maker-checker), the kill switch (halt, with optional flatten) and resume.
 *
 * @module
 */
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import { defaultRiskLimits } from '../../config.ts';
import { pendingLimitChanges, type LimitChange } from '../../db/risk-limits.ts';
import { actorOf } from '../../security/principal.ts';
import { haltTrading } from '../../temporal/circuit-breaker.ts';
import type { BreakerState } from '../../workflows/messages.ts';
import { type AppEnv, principalOf, requestFacts } from '../context.ts';
import type { AppDeps } from '../deps.ts';
import { limitsView, LimitsBody, toLimits } from '../schemas/risk.ts';
import { decideOnLimitChange, requestLimitChange } from '../services/limit-changes.ts';
import { resumeAccount } from '../services/resume-trading.ts';
import { readRiskStatus, type RiskStatus } from '../services/risk-views.ts';
import { sharedReads } from '../shared-reads.ts';
import { fromTemporalError } from '../temporal-errors.ts';
import { validationHook } from '../validation.ts';
import { jsonObject } from '../schemas/common.ts';

const status = createRoute({ method: 'get', path: '/status', tags: ['risk'], summary: 'Trading state, limits and how much of each is used', responses: { 200: jsonObject('Risk status') } });
const putLimits = createRoute({
  method: 'put',
  path: '/limits',
  tags: ['risk'],
  summary: 'Change limits: tightening applies now, loosening waits for a second admin (202)',
  request: { body: { content: { 'application/json': { schema: LimitsBody } }, required: true } },
  responses: { 200: jsonObject('Applied'), 202: jsonObject('Tightening applied, loosening pending approval') },
});
const listChanges = createRoute({ method: 'get', path: '/limits/changes', tags: ['risk'], summary: 'Limit loosenings waiting for approval', responses: { 200: jsonObject('Pending changes') } });
const ChangeId = z.object({ id: z.coerce.number().int().positive().openapi({ param: { name: 'id', in: 'path' } }) });
const approve = createRoute({ method: 'post', path: '/limits/changes/{id}/approve', tags: ['risk'], summary: 'Approve a loosening (a different admin)', request: { params: ChangeId }, responses: { 200: jsonObject('Applied') } });
const reject = createRoute({ method: 'post', path: '/limits/changes/{id}/reject', tags: ['risk'], summary: 'Reject a loosening', request: { params: ChangeId }, responses: { 200: jsonObject('Rejected') } });
const halt = createRoute({
  method: 'post',
  path: '/halt',
  tags: ['risk'],
  summary: 'Kill switch: halt trading (cancels working entries; flatten closes every position)',
  request: {
    body: {
      content: { 'application/json': { schema: z.object({ reason: z.string().min(1).max(500), flatten: z.boolean().default(false), minimumHoldMinutes: z.number().int().min(0).max(24 * 60).optional() }).strict() } },
      required: true,
    },
  },
  responses: { 200: jsonObject('Halted'), 202: jsonObject('Sent, outcome unknown (`outcome: "unknown"`): retry the same request, which is safe'), 503: { description: 'Not sent (`outcome: "not-placed"`): a dependency is down; retry after `Retry-After`' } },
});
const resume = createRoute({ method: 'post', path: '/resume', tags: ['risk'], summary: 'Back to ACTIVE (admin)', responses: { 200: jsonObject('Resumed'), 409: { description: "Within the minimum hold; or halted by a restore and the broker's book is not reconciled yet" } } });

const changeView = (ch: LimitChange) => ({ id: ch.id, requestedBy: ch.requestedBy, requestedAt: ch.requestedAt.toISOString(), status: ch.status, old: limitsView(ch.oldLimits), proposed: ch.newLimits });
const stateView = (s: BreakerState) => ({ tradingState: s.tradingState, reason: s.reason ?? null, since: s.since, resumeNotBefore: s.resumeNotBefore ?? null });

export function riskRoutes({ sql, config, temporal, audit }: Pick<AppDeps, 'sql' | 'config' | 'temporal' | 'audit'>) {
  const ctx = { sql, audit, defaults: defaultRiskLimits(config.risk) };
  const views = { sql, config, temporal };
  // Consoles and algos poll it: callers of one account at the same time share one read of its book.
  const statusReads = sharedReads<RiskStatus>();

  return new OpenAPIHono<AppEnv>({ defaultHook: validationHook })
    .openapi(status, async (c) => {
      const accountId = principalOf(c).accountId;
      return c.json(await statusReads(accountId, () => readRiskStatus(views, accountId)), 200);
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
      // Flatten places exit orders: from the signal on, no answer may say "nothing happened".
      await c.get('deadline')?.handOver({ retry: 'Retry POST /risk/halt: halting twice halts (and flattens) once.', extra: { tradingState: 'unknown' } });
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
      const state = await resumeAccount(views, principal.accountId, actorOf(principal), c.get('requestId'));
      return c.json(stateView(state), 200);
    });
}
