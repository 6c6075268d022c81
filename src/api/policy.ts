/**
 * Who may call each route, which rate-limit class it counts against, and whether the IP allowlist
 * applies: one table for the whole API. A route with no entry is refused (fail closed), and a
 * test walks every registered route to make sure each has one.
 *
 * @module
 */
import type { RouteClass } from '../security/rate-limit.ts';
import type { Scope } from '../domain/roles.ts';

export interface RoutePolicy {
  /** `public`: anyone; `signed`: the handler checks a webhook signature; otherwise the scope needed. */
  access: 'public' | 'signed' | Scope;
  rateClass?: RouteClass;
  /** Trading and admin routes: only from IP_ALLOWLIST addresses (when it is set). */
  allowlist?: boolean;
}

const pub: RoutePolicy = { access: 'public' };
const read: RoutePolicy = { access: 'read', rateClass: 'read' };
const trade: RoutePolicy = { access: 'trade', rateClass: 'trading', allowlist: true };
const admin: RoutePolicy = { access: 'admin', rateClass: 'trading', allowlist: true };
const adminRead: RoutePolicy = { access: 'admin', rateClass: 'read', allowlist: true };

export const ROUTE_POLICIES: Record<string, RoutePolicy> = {
  'GET /health': pub,
  'GET /health/ready': pub,
  'GET /metrics': pub,
  'GET /openapi.json': pub,
  'GET /docs': pub,
  'GET /docs/init.js': pub,
  'GET /docs/assets/:file': pub,
  // The operator console: static files; everything it shows comes from the routes below, with a token.
  'GET /': pub,
  'GET /console.js': pub,
  'GET /console.css': pub,
  'GET /console/:file': pub,

  'POST /auth/login': { access: 'public', rateClass: 'auth' },
  'POST /auth/refresh': { access: 'public', rateClass: 'auth' },
  'POST /auth/logout': { access: 'read', rateClass: 'auth' },
  'POST /auth/password': { access: 'read', rateClass: 'auth' },
  // Enrolment takes a session or the enrolment token an admin without a second factor gets at login.
  'POST /auth/2fa/enroll': { access: 'public', rateClass: 'auth' },
  'POST /auth/2fa/confirm': { access: 'public', rateClass: 'auth' },
  'GET /auth/2fa': { access: 'read', rateClass: 'auth' },
  'DELETE /auth/2fa': { access: 'read', rateClass: 'auth' },

  'GET /users': adminRead,
  'POST /users': admin,
  'PATCH /users/:id': admin,
  'DELETE /users/:id/sessions': admin,
  'DELETE /users/:id/2fa': admin,
  'GET /api-keys': adminRead,
  'POST /api-keys': admin,
  'DELETE /api-keys/:id': admin,
  'GET /security/ip-blocks': adminRead,
  'DELETE /security/ip-blocks/:ip': admin,

  'POST /webhooks/signals': { access: 'signed', rateClass: 'webhook', allowlist: true },
  // The token in the path is the credential (TradingView can send no header): docs/tradingview.md.
  'POST /webhooks/tradingview/:token': { access: 'signed', rateClass: 'webhook', allowlist: true },

  'GET /positions': read,
  'GET /reports/:day': read,
  'GET /risk/status': read,
  'PUT /risk/limits': admin,
  'GET /risk/rules': read,
  'PUT /risk/rules': admin,
  'GET /risk/limits/changes': adminRead,
  'POST /risk/limits/changes/:id/approve': admin,
  'POST /risk/limits/changes/:id/reject': admin,
  'POST /risk/halt': admin,
  'POST /risk/resume': admin,
  'GET /strategies': read,
  'POST /strategies': admin,
  'POST /strategies/:id/halt': admin,
  'POST /strategies/:id/resume': admin,
  'POST /strategies/:id/webhook-token': admin,
  'GET /market/holidays': read,
  'PUT /market/holidays/:exchange/:year': admin,
  'GET /market/calendar': read,
  'PUT /market/calendar/:year': admin,
  'POST /paper/quotes': admin,
  'GET /paper/orders': adminRead,
  'POST /broker/session': admin,
  'GET /broker/status': adminRead,
  'GET /reconciliation/mismatches': adminRead,
  'POST /reconciliation/mismatches/:id/resolve': admin,
  'POST /reconciliation/run': admin,

  'GET /monitoring/metrics': read,
  'GET /monitoring/alerts': read,
  'GET /monitoring/pnl': read,
  'GET /events': read,
  'GET /backup/status': adminRead,
  'POST /backup/run': admin,
  'GET /audit': adminRead,
  'GET /audit/verify': adminRead,
  'GET /trades/:id/timeline': read,

  'POST /trades': trade,
  'GET /trades': read,
  'GET /trades/:id': read,
  'POST /trades/:id/exit': trade,
  'PATCH /trades/:id': trade,
  'POST /trades/:id/cancel': trade,
  'POST /baskets': trade,
  'GET /baskets/:id': read,
};

export function policyKey(method: string, path: string): string {
  return `${method === 'HEAD' ? 'GET' : method} ${path}`;
}
