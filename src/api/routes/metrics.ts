/**
 * Prometheus scrape endpoint (text exposition format).
 *
 * @module
 */
import { Hono } from 'hono';
import type { AppDeps, AppEnv } from '../context.ts';

export function metricsRoutes(deps: Pick<AppDeps, 'metrics'>) {
  return new Hono<AppEnv>().get('/metrics', async (c) => {
    const body = await deps.metrics.registry.metrics();
    return c.body(body, 200, { 'Content-Type': deps.metrics.registry.contentType });
  });
}
