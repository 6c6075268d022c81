/**
 * Signed webhooks: `X-Signature` is hex HMAC-SHA256 over `<timestamp>.<raw body>` with the shared
 * secret (Stripe's scheme), `X-Signature-Timestamp` is Unix seconds. Timestamps more than the
 * tolerance away in either direction are refused (Standard Webhooks); comparison is constant-time
 * over fixed-length digests.
 *
 * @module
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export function signWebhook(secret: string, timestamp: number, rawBody: string): string {
  return createHmac('sha256', secret).update(`${timestamp}.${rawBody}`).digest('hex');
}

export type SignatureCheck = { ok: true } | { ok: false; reason: 'missing' | 'stale' | 'bad-signature' };

export function checkWebhookSignature(
  secrets: readonly string[],
  timestampHeader: string | undefined,
  signatureHeader: string | undefined,
  rawBody: string,
  nowSeconds: number,
  toleranceSeconds: number,
): SignatureCheck {
  if (!timestampHeader || !signatureHeader || !/^\d{1,12}$/.test(timestampHeader)) return { ok: false, reason: 'missing' };
  const timestamp = Number(timestampHeader);
  if (Math.abs(nowSeconds - timestamp) > toleranceSeconds) return { ok: false, reason: 'stale' };
  const given = /^[0-9a-f]{64}$/i.test(signatureHeader) ? Buffer.from(signatureHeader, 'hex') : undefined;
  if (!given) return { ok: false, reason: 'bad-signature' };
  // Check every secret (rotation) without stopping early, so timing does not say which matched.
  let matched = false;
  for (const secret of secrets) {
    const expected = Buffer.from(signWebhook(secret, timestamp, rawBody), 'hex');
    if (timingSafeEqual(expected, given)) matched = true;
  }
  return matched ? { ok: true } : { ok: false, reason: 'bad-signature' };
}
