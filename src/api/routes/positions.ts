/**
 * Open positions with their last prices and unrealized P&L (viewer), mounted at /positions.
 *
 * @module
 */
import { createRoute, OpenAPIHono } from '@hono/zod-openapi';
import { type AppEnv, principalOf } from '../context.ts';
import type { AppDeps } from '../deps.ts';
import { jsonObject } from '../schemas/common.ts';
import { type PositionsView, readPositions } from '../services/risk-views.ts';
import { sharedReads } from '../shared-reads.ts';
import { validationHook } from '../validation.ts';

const positions = createRoute({ method: 'get', path: '/', tags: ['trades'], summary: 'Open positions with unrealized P&L', responses: { 200: jsonObject('Positions') } });

export function positionRoutes(views: Pick<AppDeps, 'sql' | 'config' | 'temporal'>) {
  // Consoles and algos poll it: callers of one account at the same time share one read of its book.
  const positionReads = sharedReads<PositionsView>();
  return new OpenAPIHono<AppEnv>({ defaultHook: validationHook }).openapi(positions, async (c) => {
    const accountId = principalOf(c).accountId;
    return c.json(await positionReads(accountId, () => readPositions(views, accountId)), 200);
  });
}
