/**
 * Applies the route policy table (src/api/policy.ts) to every request: the IP allowlist for
 * trading and admin routes, the scope the route needs, and its rate-limit class (with the
 * RateLimit headers). Repeated refusals put the address on the block list, audited.
 *
 * @module
 */
import type { MiddlewareHandler } from 'hono';
import type { AuditLog } from '../../audit/append.ts';
import type { Config } from '../../config.ts';
import { blockIp } from '../../db/ip-blocks.ts';
import type { Sql } from '../../db/pool.ts';
import { transaction } from '../../db/transaction.ts';
import { AuthenticationError, PermissionError, RateLimitError } from '../../domain/errors.ts';
import { cidrSet } from '../../security/ip.ts';
import type { RateLimiter } from '../../security/rate-limit.ts';
import type { AppEnv } from '../context.ts';
import { policyKey, ROUTE_POLICIES } from '../policy.ts';
import { matchedPattern } from '../route-pattern.ts';
import type { BlockList } from './ip-block.ts';

export interface PolicyDeps {
  config: Config;
  sql: Sql;
  audit: AuditLog;
  rateLimiter: RateLimiter;
  blockList: BlockList;
}

export function enforcePolicy(deps: PolicyDeps): MiddlewareHandler<AppEnv> {
  const allowlist = cidrSet(deps.config.IP_ALLOWLIST);
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

    if (policy.rateClass) {
      const key = principal ? `${principal.kind}:${principal.id}` : `ip:${ip}`;
      const decision = await deps.rateLimiter.consume(policy.rateClass, key);
      c.header('RateLimit-Policy', decision.policy);
      if (decision.limit) c.header('RateLimit', decision.limit);
      if (!decision.allowed) {
        if (await deps.rateLimiter.recordAbuse(ip)) await blockAbuser(deps, ip, c.get('requestId'));
        throw new RateLimitError(decision.retryAfterSeconds ?? 1, { 'violated-policies': decision.violatedPolicies });
      }
    }
    await next();
  };
}

async function blockAbuser(deps: PolicyDeps, ip: string, requestId: string): Promise<void> {
  await transaction(deps.sql, async (tx) => {
    if (!(await blockIp(tx, ip, 'repeated rate-limit violations', deps.config.IP_BLOCK_S, 'system:rate-limit'))) return;
    const actor = { type: 'system' as const, id: 'rate-limit' };
    await deps.audit.append(tx, { type: 'RATE_LIMIT_BLOCK', actor, clientIp: ip, requestId, payload: { ip, seconds: deps.config.IP_BLOCK_S } });
    await deps.audit.append(tx, { type: 'IP_BLOCKED', actor, clientIp: ip, requestId, payload: { ip, reason: 'repeated rate-limit violations', seconds: deps.config.IP_BLOCK_S } });
  });
  deps.blockList.invalidate(ip);
}
