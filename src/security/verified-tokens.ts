/**
 * Access tokens already verified by this process, so a client's repeat requests skip the HMAC.
 * Keyed by the whole token text: a hit needs the exact bytes that passed verification, signature
 * included, so nothing can be forged through the cache. An entry lives no longer than the token's
 * own `exp`, and the cache holds a bounded number of tokens (oldest dropped first).
 *
 * Only the signature and the claims are cached. Whether the token's session is still live is
 * asked on every request (session-check.ts), so a revoked session is refused whatever this holds.
 *
 * @module
 */
import { type AccessClaims, type TokenSettings, verifyAccessToken } from './tokens.ts';

/** About 3 MB of tokens: every session of a busy installation, several times over. */
const MAX_TOKENS = 10_000;

export type VerifyAccessToken = (token: string) => Promise<AccessClaims>;

/**
 * `verifyAccessToken` with a cache of the tokens that passed.
 *
 * @example
 * const verify = cachedAccessTokenVerifier(tokenSettings(config.security));
 * const claims = await verify(bearerToken); // throws AuthenticationError as verifyAccessToken does
 */
export function cachedAccessTokenVerifier(settings: TokenSettings, now: () => number = Date.now): VerifyAccessToken {
  const verified = new Map<string, AccessClaims>();
  return async (token) => {
    const cached = verified.get(token);
    if (cached) {
      if (cached.exp * 1000 > now()) return cached;
      verified.delete(token);
    }
    const claims = await verifyAccessToken(settings, token);
    // A token past its exp fails verification above; one expiring during this call is not kept.
    if (claims.exp * 1000 > now()) {
      if (verified.size >= MAX_TOKENS) verified.delete(verified.keys().next().value as string);
      verified.set(token, claims);
    }
    return claims;
  };
}
