/**
 * Applies the route policy table (src/api/policy.ts) to every request: the IP allowlist for
 * trading and admin routes, the scope the route needs, and its rate-limit class (with the
 * RateLimit headers). Repeated refusals put the address on the block list, audited.
 *
 * @module
 */
import type { MiddlewareHandler } from 'hono';
import { transaction } from '../../db/transaction.ts';
import { AuthenticationError, PermissionError } from '../../domain/errors.ts';
import { cidrSet } from '../../security/ip.ts';
import type { AppEnv } from '../context.ts';
import { policyKey, ROUTE_POLICIES } from '../policy.ts';
import { matchedPattern } from '../route-pattern.ts';
import { limitCaller, type RateLimitDeps } from './rate-limit-caller.ts';

export function enforcePolicy(deps: RateLimitDeps): MiddlewareHandler<AppEnv> {
  const allowlist = cidrSet(deps.config.security.IP_ALLOWLIST);
  return async (c, next) => {
    const pattern = matchedPattern(c);
    if (!pattern) return next(); // unmatched: the 404 handler answers
    const policy = ROUTE_POLICIES[policyKey(c.req.method, pattern)];
    if (!policy) throw new PermissionError('This route has no access policy', 'no-policy');
    const ip = c.get('clientIp');

    if (policy.allowlist && allowlist.size && !allowlist.contains(ip)) {
      await transaction(deps.sql, (tx) =>
        deps.audit.append(tx, { type: 'IP_DENIED', actor: { type: 'system', id: 'ip-allowlist' }, clientIp: ip, requestId: c.get('requestId'), payload: { route: policyKey(c.req.method, pattern) } }),
      );
      throw new PermissionError('This address may not use this route', 'ip-not-allowed');
    }

    const principal = c.get('principal');
    if (policy.access !== 'public' && policy.access !== 'signed') {
      if (!principal) throw new AuthenticationError();
      if (!principal.scopes.includes(policy.access)) throw new PermissionError(`This needs the '${policy.access}' scope`);
    }

    if (policy.rateClass) await limitCaller(deps, c, policy.rateClass, principal ? `${principal.kind}:${principal.id}` : `ip:${ip}`);
    await next();
  };
}
