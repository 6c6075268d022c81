/**
 * Identifiers derived from what the client sent, so a retried request always maps to the same
 * trade. (Not imported by workflow code: it needs node:crypto.)
 *
 * @module
 */
import { createHash } from 'node:crypto';

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz234567';

function base32(bytes: Uint8Array, length: number): string {
  let out = '';
  let buffer = 0;
  let bits = 0;
  for (const byte of bytes) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 5 && out.length < length) {
      out += ALPHABET[(buffer >>> (bits - 5)) & 31];
      bits -= 5;
    }
    buffer &= (1 << bits) - 1;
  }
  return out;
}

/**
 * The trade id of an account's idempotency key: `t` + 15 base32 characters of SHA-256 (75 bits).
 * Short enough to travel as a broker order tag, and the key itself never appears in URLs or logs.
 *
 * @example
 * tradeIdFor('main', '6f1c0c9e-4a4b-4a1e-9a57-3f1f2f7c9a10') // 't' + 15 characters
 */
export function tradeIdFor(accountId: string, idempotencyKey: string): string {
  return `t${base32(createHash('sha256').update(`${accountId}\u0000${idempotencyKey}`).digest(), 15)}`;
}

/** Workflow id of a trade. */
export function tradeWorkflowId(tradeId: string): string {
  return `trade-${tradeId}`;
}

/**
 * The basket id of an account's idempotency key: `b` + 15 base32 characters of SHA-256, kept
 * apart from trade ids by its own prefix in the hash.
 */
export function basketIdFor(accountId: string, idempotencyKey: string): string {
  return `b${base32(createHash('sha256').update(`basket\u0000${accountId}\u0000${idempotencyKey}`).digest(), 15)}`;
}

/** The trade id of a basket's leg (0-based): derived from the basket's key, which no other request can use (`#` is not allowed in a key). */
export function basketLegTradeId(accountId: string, idempotencyKey: string, leg: number): string {
  return tradeIdFor(accountId, `${idempotencyKey}#leg${leg}`);
}

/** Workflow id of a basket. */
export function basketWorkflowId(basketId: string): string {
  return `basket-${basketId}`;
}
