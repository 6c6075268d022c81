/**
 * API keys for algos and webhooks: `bt_<prefix>_<secret>`. The prefix finds the key; only the
 * SHA-256 of the whole key is stored (256 random bits need no slow hash). Shown once, at creation.
 *
 * @module
 */
import { randomBytes } from 'node:crypto';
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
