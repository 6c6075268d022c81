/**
 * The Hono application: edge middleware in a fixed order, then one router per resource, mounted at
 * its prefix and given only the dependencies it uses.
 *
 * @module
 */
import { OpenAPIHono } from '@hono/zod-openapi';
import { bodyLimit } from 'hono/body-limit';
import { cors } from 'hono/cors';
import { timeout } from 'hono/timeout';
import { AppError } from '../domain/errors.ts';
import type { AppEnv } from './context.ts';
import type { AppDeps } from './deps.ts';
import { authenticate } from './middleware/authenticate.ts';
import { consoleRoutes } from './console/routes.ts';
import { clientIp } from './middleware/client-ip.ts';
import { enforcePolicy } from './middleware/enforce-policy.ts';
import { wellFormedJson } from './middleware/well-formed-json.ts';
import { errorHandler, notFoundHandler } from './middleware/errors.ts';
import { observe } from './middleware/observe.ts';
import { responseHeaders, secureHeaderValues } from './middleware/response-headers.ts';
import { requestDeadline } from './middleware/deadline.ts';
import { createReadinessMonitor } from './readiness/monitor.ts';
import { apiKeyRoutes } from './routes/api-keys.ts';
import { auditRoutes } from './routes/audit.ts';
import { authRoutes } from './routes/auth.ts';
import { secondFactorRoutes, userSecondFactorRoutes } from './routes/second-factor.ts';
import { backupRoutes } from './routes/backup.ts';
import { brokerRoutes } from './routes/broker.ts';
import { docsRoutes } from './routes/docs.ts';
import { healthRoutes } from './routes/health.ts';
import { ipBlockRoutes } from './routes/ip-blocks.ts';
import { marketRoutes } from './routes/market.ts';
import { marketCalendarRoutes } from './routes/market-calendar.ts';
import { metricsRoutes } from './routes/metrics.ts';
import { monitoringRoutes } from './routes/monitoring.ts';
import { paperRoutes } from './routes/paper.ts';
import { positionRoutes } from './routes/positions.ts';
import { reconciliationRoutes } from './routes/reconciliation.ts';
import { reportRoutes } from './routes/reports.ts';
import { riskRoutes } from './routes/risk.ts';
import { strategyRoutes } from './routes/strategies.ts';
import { riskRuleRoutes } from './routes/risk-rules.ts';
import { tradeRoutes } from './routes/trades.ts';
import { basketRoutes } from './routes/baskets.ts';
import { userRoutes } from './routes/users.ts';
import { webhookRoutes } from './routes/webhooks.ts';
import { tradingViewRoutes } from './routes/tradingview.ts';
import { eventRoutes } from './routes/events.ts';
import { eventHub } from './live/hub.ts';
import { validationHook } from './validation.ts';

/** Every answer's security headers, as `hono/secure-headers` sets them with these options (a route may set its own CSP). */
const SECURITY_HEADERS = await secureHeaderValues({
  contentSecurityPolicy: {
    defaultSrc: ["'self'"],
    scriptSrc: ["'self'"],
    styleSrc: ["'self'"],
    imgSrc: ["'self'", 'data:'],
    connectSrc: ["'self'"],
    frameAncestors: ["'none'"],
    baseUri: ["'none'"],
    formAction: ["'self'"],
    objectSrc: ["'none'"],
  },
  strictTransportSecurity: 'max-age=31536000; includeSubDomains',
});

export function createApp(deps: AppDeps) {
  const { config } = deps;
  const app = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });

  app.use(responseHeaders(SECURITY_HEADERS));
  app.use(observe(deps.metrics.http, deps.log));
  if (config.http.CORS_ORIGINS.length) {
    app.use(cors({ origin: config.http.CORS_ORIGINS, credentials: true, exposeHeaders: ['X-Request-Id', 'RateLimit', 'RateLimit-Policy', 'Retry-After'] }));
  }
  const limitBody = bodyLimit({
    maxSize: config.http.BODY_LIMIT_BYTES,
    onError: () => {
      throw new AppError('payload-too-large', `Request body exceeds ${config.http.BODY_LIMIT_BYTES} bytes`, { category: 'validation', status: 413 });
    },
  });
  // Only requests that carry a body: the check builds the full Request object, which made every
  // GET several times slower on @hono/node-server (measured in bench/security.ts).
  app.use((c, next) => (c.req.method === 'GET' || c.req.method === 'HEAD' ? next() : limitBody(c, next)));
  // Health first: liveness touches no dependency, and readiness answers from its probes' cache,
  // so neither waits on the block list, sessions or rate limits that PostgreSQL holds.
  const readiness = createReadinessMonitor(deps);
  app.route('/health', healthRoutes({ readiness }));
  // Walking the whole audit chain takes about a second per 50,000 records: longer than any other request.
  const requestTimeout = requestDeadline(readiness, { dependencyDeadlineMs: config.http.DEPENDENCY_DEADLINE_MS, requestTimeoutMs: config.http.REQUEST_TIMEOUT_MS });
  const verifyTimeout = timeout(config.http.AUDIT_VERIFY_TIMEOUT_S * 1000);
  app.use((c, next) => (c.req.path === '/audit/verify' ? verifyTimeout(c, next) : requestTimeout(c, next)));
  app.use(clientIp(config.security.TRUSTED_PROXIES));
  app.use(deps.blockList.middleware);
  app.use(authenticate(deps));
  app.use(enforcePolicy(deps));
  app.use(wellFormedJson);
  app.onError(errorHandler(deps.log));
  app.notFound(notFoundHandler);

  const { sql, temporal, audit, sessions } = deps;
  app.route('/metrics', metricsRoutes({ config, metrics: deps.metrics }));
  app.route('/auth', authRoutes({ sql, config, audit, sessions, rateLimiter: deps.rateLimiter }));
  app.route('/auth/2fa', secondFactorRoutes({ sql, config, audit, sessions }));
  app.route('/users', userRoutes({ sql, config, audit, sessions }));
  app.route('/users', userSecondFactorRoutes({ sql, config, audit, sessions }));
  app.route('/api-keys', apiKeyRoutes({ sql, audit }));
  app.route('/security/ip-blocks', ipBlockRoutes({ sql, audit, blockList: deps.blockList }));
  app.route('/webhooks', webhookRoutes({ sql, config, audit, temporal }));
  app.route('/webhooks', tradingViewRoutes({ sql, config, temporal }));
  app.route('/trades', tradeRoutes({ sql, config, temporal }));
  app.route('/baskets', basketRoutes({ sql, config, temporal }));
  app.route('/positions', positionRoutes({ sql, config, temporal }));
  app.route('/reports', reportRoutes({ sql, config }));
  app.route('/risk', riskRoutes({ sql, config, temporal, audit }));
  app.route('/risk/rules', riskRuleRoutes({ sql, audit }));
  app.route('/strategies', strategyRoutes({ sql, config, temporal, audit }));
  app.route('/audit', auditRoutes({ sql, config }));
  app.route('/market', marketRoutes({ sql, audit }));
  app.route('/market', marketCalendarRoutes({ sql, audit }));
  app.route('/paper', paperRoutes({ paper: deps.paper }));
  app.route('/monitoring', monitoringRoutes({ sql, monitoring: deps.monitoring }));
  app.route('/events', eventRoutes({ sql, hub: eventHub(sql, (err) => deps.log.warn({ err }, 'live events: reading a notified event failed')) }));
  app.route('/', consoleRoutes());
  app.route('/backup', backupRoutes({ sql, config, temporal }));
  app.route('/broker', brokerRoutes({ sql, config, breeze: deps.breeze }));
  app.route('/reconciliation', reconciliationRoutes({ sql, config, temporal, audit }));
  app.route('/docs', docsRoutes());

  app.openAPIRegistry.registerComponent('securitySchemes', 'bearer', { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' });
  app.openAPIRegistry.registerComponent('securitySchemes', 'apiKey', { type: 'apiKey', in: 'header', name: 'X-API-Key' });
  app.doc31('/openapi.json', {
    openapi: '3.1.0',
    security: [{ bearer: [] }, { apiKey: [] }],
    info: {
      title: 'breeze-trader',
      version: '1',
      description:
        'Trading backend for NSE/BSE through ICICI Direct Breeze Connect. Amounts in bodies are rupees; errors are RFC 9457 problem+json. ' +
        'Order-placing routes (POST /trades, POST /baskets, exit, cancel, /webhooks/signals, /risk/halt) answer: placed (200/201, or 202 `outcome: "accepted"`); refused (4xx, nothing placed); ' +
        'not placed (503 problem+json `outcome: "not-placed"` with Retry-After: retry later); or unknown (202 `outcome: "unknown"` with the trade id and Location: retry with the same Idempotency-Key). No other 5xx.',
    },
  });
  return app;
}

export type App = ReturnType<typeof createApp>;
