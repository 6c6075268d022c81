/**
 * Prometheus scrape endpoint (text exposition format). Its gauges show positions, exposure and
 * P&L per account, so only scrapers inside METRICS_ALLOWLIST may read it: loopback and private
 * networks by default, where the Prometheus next to the API runs.
 *
 * @module
 */
import { Hono } from 'hono';
import { PermissionError } from '../../domain/errors.ts';
import { cidrSet } from '../../security/ip.ts';
import type { AppEnv } from '../context.ts';
import type { AppDeps } from '../deps.ts';

export function metricsRoutes(deps: Pick<AppDeps, 'metrics' | 'config'>) {
  const allowlist = cidrSet(deps.config.security.METRICS_ALLOWLIST);
  return new Hono<AppEnv>().get('/', async (c) => {
    if (allowlist.size && !allowlist.contains(c.get('clientIp'))) throw new PermissionError('Metrics may be scraped only from METRICS_ALLOWLIST addresses', 'metrics-not-allowed');
    const body = await deps.metrics.registry.metrics();
    return c.body(body, 200, { 'Content-Type': deps.metrics.registry.contentType });
  });
}
