/**
 * Liveness and readiness. Readiness names each failing part so an operator (or a load balancer
 * log) can tell which dependency is down.
 *
 * @module
 */
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import { databaseReady } from '../../db/pool.ts';
import { AppError } from '../../domain/errors.ts';
import { temporalReady } from '../../temporal/client.ts';
import type { AppEnv } from '../context.ts';
import type { AppDeps } from '../deps.ts';
import { problemResponse } from '../problem.ts';
import { validationHook } from '../validation.ts';

const Liveness = z.object({ status: z.literal('ok') }).openapi('Liveness');
const Readiness = z
  .object({ status: z.enum(['ready']), checks: z.record(z.string(), z.enum(['ok', 'failed'])) })
  .openapi('Readiness');

const live = createRoute({
  method: 'get',
  path: '/',
  tags: ['health'],
  summary: 'Liveness: the process answers',
  responses: { 200: { description: 'Alive', content: { 'application/json': { schema: Liveness } } } },
});

const ready = createRoute({
  method: 'get',
  path: '/ready',
  tags: ['health'],
  summary: 'Readiness: PostgreSQL and Temporal answer',
  responses: {
    200: { description: 'Ready', content: { 'application/json': { schema: Readiness } } },
    503: { description: 'A dependency is down; `checks` names it' },
  },
});

export function healthRoutes(deps: Pick<AppDeps, 'sql' | 'temporal'>) {
  return new OpenAPIHono<AppEnv>({ defaultHook: validationHook })
    .openapi(live, (c) => c.json({ status: 'ok' as const }, 200))
    .openapi(ready, async (c) => {
      const [postgres, temporal] = await Promise.all([databaseReady(deps.sql), temporalReady(deps.temporal)]);
      const checks = { postgres: postgres ? 'ok' : 'failed', temporal: temporal ? 'ok' : 'failed' } as const;
      if (postgres && temporal) return c.json({ status: 'ready' as const, checks }, 200);
      const failing = Object.entries(checks).filter(([, v]) => v === 'failed').map(([k]) => k);
      const err = new AppError('not-ready', `Not ready: ${failing.join(' and ')} not answering`, {
        category: 'dependency',
        status: 503,
        retryAfterSeconds: 5,
        extensions: { checks },
      });
      return problemResponse(c, err) as never;
    });
}
