/**
 * Per-request metrics and one structured log line per request, labelled by the matched route
 * pattern (never the raw path, which would explode label cardinality).
 *
 * @module
 */
import type { MiddlewareHandler } from 'hono';
import { matchedPattern } from '../route-pattern.ts';
import type { Logger } from '../../config/logger.ts';
import type { HttpMetrics } from '../../observability/metrics.ts';

export function observe(metrics: HttpMetrics, log: Logger): MiddlewareHandler {
  return async (c, next) => {
    const started = performance.now();
    await next();
    const seconds = (performance.now() - started) / 1000;
    const route = matchedPattern(c) ?? 'unmatched';
    const labels = { method: c.req.method, route, status: String(c.res.status) };
    metrics.requests.inc(labels);
    metrics.duration.observe(labels, seconds);
    // Built only when it is written: at the default level this line is dropped.
    if (log.isLevelEnabled('debug')) log.debug({ requestId: c.get('requestId'), ...labels, ms: Math.round(seconds * 1000) }, 'request');
  };
}
