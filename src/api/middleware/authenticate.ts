/**
 * Who is calling: an access token (`Authorization: Bearer`) checked against its live session, or
 * an API key (`X-API-Key`), checked against its hash, its revocation, its user and its CIDRs.
 * No credentials: no principal (routes that need one answer 401). Bad credentials: 401 at once,
 * with `WWW-Authenticate` (RFC 6750 §3), counted against the caller's address in the auth limits.
 *
 * @module
 */
import { timingSafeEqual } from 'node:crypto';
import type { Context, MiddlewareHandler } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { apiKeyByPrefix, markApiKeyUsed } from '../../db/api-keys.ts';
import { AuthenticationError, PermissionError } from '../../domain/errors.ts';
import { apiKeyPrefix, apiKeyRefusal, effectiveScopes } from '../../security/api-keys.ts';
import { ROLE_SCOPES } from '../../domain/roles.ts';
import type { SessionChecker } from '../../security/session-check.ts';
import { tokenSettings } from '../../security/sessions.ts';
import { sha256 } from '../../security/tokens.ts';
import { cachedAccessTokenVerifier } from '../../security/verified-tokens.ts';
import type { AppEnv } from '../context.ts';
import { limitCaller, type RateLimitDeps } from './rate-limit-caller.ts';

const KEY_TOUCH_EVERY_MS = 60_000;

function unauthorized(description: string): HTTPException {
  const res = new Response(null, { status: 401, headers: { 'WWW-Authenticate': `Bearer realm="breeze-trader", error="invalid_token", error_description="${description}"` } });
  return new HTTPException(401, { message: description, res, cause: new AuthenticationError(description) });
}

export function authenticate(deps: RateLimitDeps & { sessions: SessionChecker }): MiddlewareHandler<AppEnv> {
  // Repeat requests with one token skip the HMAC; the session below is still checked every time.
  const verifyAccessToken = cachedAccessTokenVerifier(tokenSettings(deps.config.security));
  const keyTouched = new Map<string, number>();
  return async (c, next) => {
    try {
      await identify(c);
    } catch (err) {
      // Bad credentials are limited per address at the auth class's rates, so guessing is
      // throttled and a flood of them ends on the block list instead of costing a lookup each.
      // A bucket of their own: a client's stale token must not use up its logins and refreshes.
      const refused = err instanceof HTTPException || err instanceof PermissionError;
      if (refused) await limitCaller(deps, c, 'auth', `bad-credentials:${c.get('clientIp')}`);
      throw err;
    }
    await next();
  };

  async function identify(c: Context<AppEnv>): Promise<void> {
    const authorization = c.req.header('authorization');
    const apiKey = c.req.header('x-api-key');
    if (authorization) {
      const match = /^Bearer ([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)$/i.exec(authorization.trim());
      if (!match) throw unauthorized('Bearer token expected');
      let claims;
      try {
        claims = await verifyAccessToken(match[1]!);
      } catch {
        throw unauthorized('The access token is invalid or expired');
      }
      const session = await deps.sessions.check(claims.sid);
      if (!session || session.userId !== claims.sub) throw unauthorized('The session has ended');
      c.set('principal', { kind: 'user', id: session.userId, name: session.username, role: session.role, scopes: ROLE_SCOPES[session.role], accountId: session.accountId, sessionId: session.sessionId });
    } else if (apiKey) {
      const prefix = apiKeyPrefix(apiKey);
      const row = prefix ? await apiKeyByPrefix(deps.sql, prefix) : undefined;
      const given = Buffer.from(sha256(apiKey), 'hex');
      const stored = Buffer.from(row?.keyHash ?? '0'.repeat(64), 'hex');
      const ip = c.get('clientIp');
      const refusal = row && timingSafeEqual(given, stored) ? apiKeyRefusal(row, ip) : 'revoked';
      if (!row || refusal === 'revoked' || refusal === 'user-disabled') throw unauthorized('The API key is invalid or revoked');
      if (refusal === 'address') throw new PermissionError('This API key may not be used from this address', 'api-key-address');
      c.set('principal', { kind: 'api_key', id: row.id, name: row.name, role: row.role, scopes: effectiveScopes(row), accountId: row.accountId });
      const now = Date.now();
      if (now - (keyTouched.get(row.id) ?? 0) > KEY_TOUCH_EVERY_MS) {
        keyTouched.set(row.id, now);
        await markApiKeyUsed(deps.sql, row.id, ip);
      }
    }
  }
}
