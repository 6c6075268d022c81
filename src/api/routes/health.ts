/**
 * Liveness and readiness. Liveness touches no dependency: a frozen database must not make a
 * probe restart a healthy API. Readiness names each part with its state, each from its own cached
 * probe, so it answers within about a second whatever is frozen.
 *
 * @module
 */
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import { AppError } from '../../domain/errors.ts';
import type { AppEnv } from '../context.ts';
import { problemResponse } from '../problem.ts';
import type { ReadinessMonitor } from '../readiness/monitor.ts';
import { validationHook } from '../validation.ts';

/** Each part's wait: the whole probe answers within 1 s. */
const READY_WAIT_MS = 700;

const Liveness = z.object({ status: z.literal('ok') }).openapi('Liveness');
const PartReport = z.object({ state: z.enum(['ok', 'failed']), detail: z.string().optional(), checkedAt: z.string() });
const Checks = z
  .object({ postgres: PartReport, temporal: PartReport, worker: PartReport, redis: PartReport.optional(), broker: PartReport.optional() })
  .openapi('ReadinessChecks', { description: '`redis` when REDIS_URL is set; `broker` when BROKER=breeze (today\'s session stored and not expired)' });
const Readiness = z.object({ status: z.literal('ready'), checks: Checks }).openapi('Readiness');

const live = createRoute({
  method: 'get',
  path: '/',
  tags: ['health'],
  summary: 'Liveness: the process answers (no dependency is asked)',
  responses: { 200: { description: 'Alive', content: { 'application/json': { schema: Liveness } } } },
});

const ready = createRoute({
  method: 'get',
  path: '/ready',
  tags: ['health'],
  summary: 'Readiness: PostgreSQL, Temporal, a worker polling the task queue, Redis and the Breeze session where they apply',
  responses: {
    200: { description: 'Ready', content: { 'application/json': { schema: Readiness } } },
    503: { description: 'A part is not ready: problem+json whose `checks` names it and `notReady` lists it' },
  },
});

export function healthRoutes(deps: { readiness: ReadinessMonitor }) {
  return new OpenAPIHono<AppEnv>({ defaultHook: validationHook })
    .openapi(live, (c) => c.json({ status: 'ok' as const }, 200))
    .openapi(ready, async (c) => {
      const { ready: ok, checks } = await deps.readiness.report(READY_WAIT_MS);
      if (ok) return c.json({ status: 'ready' as const, checks: checks as z.infer<typeof Checks> }, 200);
      const notReady = Object.entries(checks).filter(([, r]) => r.state === 'failed').map(([part]) => part);
      const err = new AppError('not-ready', `Not ready: ${notReady.join(', ')}`, {
        category: 'dependency',
        status: 503,
        retryAfterSeconds: 5,
        extensions: { checks, notReady },
      });
      return problemResponse(c, err) as never;
    });
}
