/**
 * The per-request session check behind every access token: the session must exist, not be
 * revoked, not be idle past the timeout, not be past its absolute end, and its user must not be
 * disabled. Session rows are cached in the process for a few seconds; a revocation anywhere
 * (logout, admin, reuse detection) is announced with NOTIFY `session_revoked`, and every API
 * replica drops its cached row at once, so revocation takes effect immediately.
 *
 * @module
 */
import type { Sql } from '../db/pool.ts';
import { type SessionState, sessionState, touchSession } from '../db/sessions.ts';
import type { Logger } from '../config/logger.ts';

/** last_seen_at is written at most this often per session (a write per request would be wasteful). */
const TOUCH_EVERY_MS = 60_000;
const CACHE_MS = 5_000;

export interface SessionChecker {
  /** The live session, or `undefined` when it is not (any longer) valid. */
  check(sessionId: string): Promise<SessionState | undefined>;
  /** Forget a cached session (this replica revoked it). */
  forget(sessionId: string): void;
  close(): Promise<void>;
}

export async function createSessionChecker(sql: Sql, idleTimeoutS: number, log: Logger): Promise<SessionChecker> {
  const cache = new Map<string, { state: SessionState; fetchedAt: number }>();
  let listening: { unlisten(): Promise<void> } | undefined;
  try {
    listening = await sql.listen('session_revoked', (sessionId) => cache.delete(sessionId));
  } catch (err) {
    // Without LISTEN the cache window bounds how late a revocation from another replica applies.
    log.warn({ err }, 'session revocation notifications unavailable; relying on the short cache');
  }
  return {
    async check(sessionId) {
      const now = Date.now();
      let entry = cache.get(sessionId);
      if (!entry || now - entry.fetchedAt > CACHE_MS) {
        const state = await sessionState(sql, sessionId);
        if (!state) return undefined;
        entry = { state, fetchedAt: now };
        cache.set(sessionId, entry);
        if (cache.size > 50_000) cache.delete(cache.keys().next().value as string);
      }
      const s = entry.state;
      if (s.revokedAt || s.disabled || s.absoluteExpiresAt.getTime() <= now || now - s.lastSeenAt.getTime() > idleTimeoutS * 1000) return undefined;
      if (now - s.lastSeenAt.getTime() > TOUCH_EVERY_MS) {
        s.lastSeenAt = new Date(now);
        await touchSession(sql, sessionId);
      }
      return s;
    },
    forget(sessionId) {
      cache.delete(sessionId);
    },
    async close() {
      await listening?.unlisten();
    },
  };
}
