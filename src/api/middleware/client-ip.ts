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
  // Without X-Forwarded-For the answer depends on the peer alone: parsed once per address, not per request.
  const byPeer = new Map<string | undefined, string>();
  return (c, next) => {
    let peer: string | undefined;
    try {
      peer = getConnInfo(c).remote.address;
    } catch {
      peer = undefined; // in-process requests (tests) have no socket
    }
    const forwardedFor = c.req.header('x-forwarded-for');
    let ip = forwardedFor ? undefined : byPeer.get(peer);
    if (ip === undefined) {
      ip = resolveClientIp(peer, forwardedFor, trusted);
      if (!forwardedFor) {
        if (byPeer.size >= 10_000) byPeer.clear();
        byPeer.set(peer, ip);
      }
    }
    c.set('clientIp', ip);
    return next();
  };
}
