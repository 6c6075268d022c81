/**
 * The route pattern a request matched (`/trades/:id`), for policies and metric labels: the last
 * matched entry that is a route, not a wildcard middleware.
 *
 * @module
 */
import type { Context } from 'hono';
import { matchedRoutes } from 'hono/route';

export function matchedPattern(c: Context): string | undefined {
  const routes = matchedRoutes(c);
  for (let i = routes.length - 1; i >= 0; i--) {
    const r = routes[i]!;
    if (r.method !== 'ALL' && !r.path.endsWith('*')) return r.path;
  }
  return undefined;
}
