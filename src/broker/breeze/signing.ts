/**
 * Request signing of Breeze Connect v1 (docs/breeze-api.md#request-signing): every endpoint except
 * customerdetails carries `X-Checksum: token <sha256(timestamp + body + secret)>`. It is plain
 * SHA-256 over the concatenation, not an HMAC; the DOC page's HMAC variant is stale, and all
 * four official SDKs use this one.
 *
 * The server hashes the raw body bytes, so the string hashed here must be the exact string sent:
 * callers serialise once and pass that string to both.
 *
 * @module
 */
import { createHash } from 'node:crypto';

/**
 * The timestamp the SDKs send: UTC, whole seconds, then a literal `.000Z`.
 *
 * @example
 * breezeTimestamp(new Date('2025-02-05T04:12:33.789Z')) // '2025-02-05T04:12:33.000Z'
 */
export function breezeTimestamp(at: Date): string {
  return `${at.toISOString().slice(0, 19)}.000Z`;
}

/**
 * Lowercase hex SHA-256 of timestamp + payload + secret (UTF-8).
 *
 * @example
 * checksum('2025-02-05T04:12:33.000Z', '{}', 'MY_SECRET_KEY')
 * // 'f4f6e63099d0f5f7dfe1005bb6efb7116b9d660d1dc225393235266857c8458f'
 */
export function checksum(timestamp: string, payload: string, secretKey: string): string {
  return createHash('sha256').update(timestamp + payload + secretKey, 'utf8').digest('hex');
}

export interface SigningKeys {
  appKey: string;
  secretKey: string;
  /** Base64 of `user_id:session_key`, as customerdetails returned it. */
  sessionToken: string;
}

/** The headers of a signed request whose body is exactly `payload`. */
export function signedHeaders(keys: SigningKeys, payload: string, at: Date): Record<string, string> {
  const timestamp = breezeTimestamp(at);
  return {
    'Content-Type': 'application/json',
    'X-Checksum': `token ${checksum(timestamp, payload, keys.secretKey)}`,
    'X-Timestamp': timestamp,
    'X-AppKey': keys.appKey,
    'X-SessionToken': keys.sessionToken,
  };
}

/** Base64 of `user_id:session_key`, the value of X-SessionToken (docs/breeze-api.md#session). */
export function encodeSessionToken(userId: string, sessionKey: string): string {
  return Buffer.from(`${userId}:${sessionKey}`, 'ascii').toString('base64');
}

/** The user id and session key inside a session token, or undefined when it is not of that shape. */
export function decodeSessionToken(token: string): { userId: string; sessionKey: string } | undefined {
  const text = Buffer.from(token, 'base64').toString('ascii');
  const colon = text.indexOf(':');
  if (colon <= 0 || colon === text.length - 1) return undefined;
  return { userId: text.slice(0, colon), sessionKey: text.slice(colon + 1) };
}
