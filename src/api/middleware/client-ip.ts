/**
 * Sets `clientIp`: the socket peer, or (behind a trusted proxy) the forwarded client address.
 *
 * @module
 */
import { getConnInfo } from '@hono/node-server/conninfo';
import type { MiddlewareHandler } from 'hono';
import { cidrSet, resolveClientIp } from '../../security/ip.ts';
import type { AppEnv } from '../context.ts';

export function clientIp(trustedProxies: readonly string[]): MiddlewareHandler<AppEnv> {
  const trusted = cidrSet(trustedProxies);
  return async (c, next) => {
    let peer: string | undefined;
    try {
      peer = getConnInfo(c).remote.address;
    } catch {
      peer = undefined; // in-process requests (tests) have no socket
    }
    c.set('clientIp', resolveClientIp(peer, c.req.header('x-forwarded-for'), trusted));
    await next();
  };
}
