/**
 * The hash chain. A record's hash is SHA-256 over the previous record's hash, a newline and the
 * record's canonical content: a JSON array of its fields in a fixed order, its payload with keys
 * sorted. Changing, removing, inserting or reordering any record changes a hash downstream.
 *
 * The sealing statement computes the same hash inside PostgreSQL (so the sequence number can be
 * assigned under the head's lock in one round trip, migration 0190); {@link recordHash} is the reference the
 * verifier recomputes.
 *
 * @module
 */
import { createHash } from 'node:crypto';
import type { AuditRecord } from './events.ts';

export const GENESIS_HASH = '0'.repeat(64);

/** JSON with object keys sorted at every level and `undefined` members left out. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value ?? null);
  if (Array.isArray(value)) return `[${value.map((v) => canonicalJson(v === undefined ? null : v)).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

type Content = Omit<AuditRecord, 'seq' | 'prevHash' | 'hash'>;

/**
 * The canonical content after the sequence number: `[seq,` + this = the canonical record.
 * Split so SQL can prefix the sequence number it assigns.
 */
export function contentTail(content: Content): string {
  const fields = [
    content.eventId,
    content.occurredAt,
    content.type,
    content.severity,
    content.category,
    content.actorType,
    content.actorId,
    content.accountId,
    content.tradeId,
    content.workflowId,
    content.runId,
    content.clientIp,
    content.requestId,
    content.payload,
  ];
  return canonicalJson(fields).slice(1);
}

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** The hash a record must carry, given the hash before it. */
export function recordHash(prevHash: string, seq: number, content: Content): string {
  return sha256Hex(`${prevHash}\n[${seq},${contentTail(content)}`);
}

const SECRET_KEY = /password|passphrase|secret|token|api[-_]?key|authorization|cookie|checksum|session[-_]?key/i;

/**
 * Defence in depth: payload members whose names look like credentials are replaced, and NUL
 * characters (which jsonb cannot hold) are dropped, before anything is hashed or stored.
 */
export function scrubPayload(value: unknown, key = ''): unknown {
  if (SECRET_KEY.test(key) && value !== null && value !== undefined && typeof value !== 'boolean') return '[redacted]';
  if (typeof value === 'string') return value.replaceAll('\u0000', '\uFFFD');
  if (Array.isArray(value)) return value.map((v) => scrubPayload(v));
  if (value && typeof value === 'object') {
    if (value instanceof Date) return value.toISOString();
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, scrubPayload(v, k)]));
  }
  if (typeof value === 'number' && !Number.isFinite(value)) return null;
  if (typeof value === 'bigint') return value.toString();
  return value;
}
