/**
 * A strategy's TradingView webhook token: 192 random bits in the URL path (TradingView can send
 * no header, docs/tradingview.md), kept only as its SHA-256, compared in constant time.
 *
 * @module
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** 24 random bytes, base64url: 32 URL-safe characters. */
export function newWebhookToken(): string {
  return randomBytes(24).toString('base64url');
}

export function hashWebhookToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** Whether `token` is the one whose hash is stored, in constant time. */
export function webhookTokenMatches(token: string, storedHash: string): boolean {
  const given = Buffer.from(hashWebhookToken(token), 'hex');
  const stored = Buffer.from(storedHash, 'hex');
  return given.length === stored.length && timingSafeEqual(given, stored);
}

/** A token as TradingView would send it: anything else is not looked up at all. */
export const WEBHOOK_TOKEN = /^[A-Za-z0-9_-]{32,64}$/;
