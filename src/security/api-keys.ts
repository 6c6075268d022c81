/**
 * API keys for algos and webhooks: `bt_<prefix>_<secret>`. The prefix finds the key; only the
 * SHA-256 of the whole key is stored (256 random bits need no slow hash). Shown once, at creation.
 *
 * @module
 */
import { randomBytes } from 'node:crypto';
import type { ApiKeyRow } from '../db/api-keys.ts';
import { cidrSet } from './ip.ts';
import { ROLE_SCOPES, type Scope } from '../domain/roles.ts';
import { sha256 } from './tokens.ts';

export function generateApiKey(): { key: string; prefix: string; hash: string } {
  const prefix = randomBytes(6).toString('hex');
  const key = `bt_${prefix}_${randomBytes(32).toString('base64url')}`;
  return { key, prefix, hash: sha256(key) };
}

/** The prefix of a well-formed key, or `undefined`. */
export function apiKeyPrefix(key: string): string | undefined {
  const match = /^bt_([0-9a-f]{12})_[A-Za-z0-9_-]{43}$/.exec(key);
  return match?.[1];
}

/** What a key may do now: the scopes it was given that its user's current role still allows. */
export function effectiveScopes(key: Pick<ApiKeyRow, 'scopes' | 'role'>): Scope[] {
  const allowed = ROLE_SCOPES[key.role];
  return key.scopes.filter((s) => allowed.includes(s));
}

export type KeyRefusal = 'revoked' | 'user-disabled' | 'address';

/**
 * Why a key may not be used by a caller at `ip` now, or `undefined` when it may. The same rules
 * for `X-API-Key` requests and for webhooks signed with the key's secret.
 */
export function apiKeyRefusal(key: Pick<ApiKeyRow, 'revokedAt' | 'userDisabled' | 'cidrs'>, ip: string): KeyRefusal | undefined {
  if (key.revokedAt) return 'revoked';
  if (key.userDisabled) return 'user-disabled';
  if (key.cidrs.length && !cidrSet(key.cidrs).contains(ip)) return 'address';
  return undefined;
}
