/**
 * One rate-limit check of a caller: consume a point of the route class for `key`, set the
 * RateLimit headers, and refuse with 429 when a tier is spent. Refusals count toward the caller's
 * address being put on the block list (audited). Used by the policy middleware for every limited
 * route, and by authentication for bad credentials, which are counted per address before the 401.
 *
 * @module
 */
import type { Context } from 'hono';
import type { AuditLog } from '../../audit/append.ts';
import type { Config } from '../../config.ts';
import { blockIp } from '../../db/ip-blocks.ts';
import type { Sql } from '../../db/pool.ts';
import { transaction } from '../../db/transaction.ts';
import { RateLimitError } from '../../domain/errors.ts';
import type { RateLimiter, RouteClass } from '../../security/rate-limit.ts';
import type { AppEnv } from '../context.ts';
import type { BlockList } from './ip-block.ts';
import { setResponseHeader } from './response-headers.ts';

export interface RateLimitDeps {
  config: Config;
  sql: Sql;
  audit: AuditLog;
  rateLimiter: RateLimiter;
  blockList: BlockList;
}

export async function limitCaller(deps: RateLimitDeps, c: Context<AppEnv>, cls: RouteClass, key: string): Promise<void> {
  const decision = await deps.rateLimiter.consume(cls, key);
  setResponseHeader(c, 'RateLimit-Policy', decision.policy);
  if (decision.limit) setResponseHeader(c, 'RateLimit', decision.limit);
  if (decision.allowed) return;
  const ip = c.get('clientIp');
  if (await deps.rateLimiter.recordAbuse(ip)) await blockAbuser(deps, ip, c.get('requestId'));
  throw new RateLimitError(decision.retryAfterSeconds ?? 1, { 'violated-policies': decision.violatedPolicies });
}

async function blockAbuser(deps: RateLimitDeps, ip: string, requestId: string): Promise<void> {
  await transaction(deps.sql, async (tx) => {
    if (!(await blockIp(tx, ip, 'repeated rate-limit violations', deps.config.security.IP_BLOCK_S, 'system:rate-limit'))) return;
    const actor = { type: 'system' as const, id: 'rate-limit' };
    await deps.audit.append(tx, { type: 'RATE_LIMIT_BLOCK', actor, clientIp: ip, requestId, payload: { ip, seconds: deps.config.security.IP_BLOCK_S } });
    await deps.audit.append(tx, { type: 'IP_BLOCKED', actor, clientIp: ip, requestId, payload: { ip, reason: 'repeated rate-limit violations', seconds: deps.config.security.IP_BLOCK_S } });
  });
  deps.blockList.invalidate(ip);
}
