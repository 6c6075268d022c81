/**
 * Server-side sessions: created at login with a first refresh token, rotated on every refresh
 * (a refresh token used twice revokes the whole session: RFC 9700 §4.14.2), ended by logout, by
 * an admin, by the idle timeout, by the absolute lifetime, and (when configured) at the end of
 * the IST trading day.
 *
 * @module
 */
import type { AuditLog } from '../audit/append.ts';
import type { Actor } from '../audit/events.ts';
import type { SecuritySettings } from '../config/sections/security.ts';
import type { Sql, TxSql } from '../db/pool.ts';
import { hasSecondFactor } from '../db/second-factors.ts';
import { insertRefreshToken, insertSession, revokeSessions, type SessionTarget, sessionState, useRefreshToken } from '../db/sessions.ts';
import { transaction } from '../db/transaction.ts';
import { userById, type UserRow } from '../db/users.ts';
import { AuthenticationError } from '../domain/errors.ts';
import { istInstant, istParts } from '../domain/market-calendar.ts';
import { issueAccessToken, newRefreshToken, sha256, type TokenSettings } from './tokens.ts';

export interface TokenPair {
  accessToken: string;
  refreshToken: string;
  tokenType: 'Bearer';
  expiresIn: number;
}

export interface RequestFacts {
  clientIp: string;
  userAgent?: string | undefined;
  requestId?: string | undefined;
}

export function tokenSettings(security: SecuritySettings): TokenSettings {
  return { secret: security.JWT_SECRET, issuer: security.JWT_ISSUER, audience: security.JWT_AUDIENCE, ttlSeconds: security.ACCESS_TOKEN_TTL_S };
}

/** When a session started now must end: its absolute lifetime, capped at the next IST midnight when so configured. */
export function sessionEnd(security: SecuritySettings, now: Date): Date {
  const absolute = new Date(now.getTime() + security.SESSION_ABSOLUTE_TIMEOUT_S * 1000);
  if (!security.SESSION_END_AT_DAY_END) return absolute;
  const nextMidnight = new Date(istInstant(istParts(now).date, '00:00').getTime() + 86_400_000);
  return absolute < nextMidnight ? absolute : nextMidnight;
}

/** Open a session for `user` inside `tx` and issue its first token pair. */
export async function openSession(tx: TxSql, security: SecuritySettings, user: UserRow, facts: RequestFacts): Promise<{ sessionId: string; tokens: TokenPair }> {
  const sessionId = await insertSession(tx, { userId: user.id, absoluteExpiresAt: sessionEnd(security, new Date()), clientIp: facts.clientIp, userAgent: facts.userAgent });
  const refresh = newRefreshToken();
  await insertRefreshToken(tx, sessionId, refresh.hash, null);
  const access = await issueAccessToken(tokenSettings(security), { userId: user.id, sessionId, role: user.role, accountId: user.accountId });
  return { sessionId, tokens: { accessToken: access.token, refreshToken: refresh.token, tokenType: 'Bearer', expiresIn: security.ACCESS_TOKEN_TTL_S } };
}

const refreshRefused = () => new AuthenticationError('The refresh token is invalid, used or expired', 'invalid-refresh-token');

/** Rotate a refresh token. Reuse revokes the session (and is audited) before refusing. */
export async function refreshSession(sql: Sql, security: SecuritySettings, audit: AuditLog, refreshToken: string, facts: RequestFacts): Promise<TokenPair> {
  if (!/^rt_[A-Za-z0-9_-]{43}$/.test(refreshToken)) throw refreshRefused();
  const hash = sha256(refreshToken);
  const outcome = await transaction(sql, async (tx) => {
    const used = await useRefreshToken(tx, hash);
    if (!used) return { refused: true as const };
    if ('reused' in used) {
      const state = await sessionState(tx, used.reused);
      const revoked = await revokeSessions(tx, { sessionId: used.reused }, 'refresh token reused');
      await audit.append(tx, {
        type: 'REFRESH_REUSE_DETECTED',
        actor: { type: 'user', id: state?.username ?? 'unknown' },
        accountId: state?.accountId,
        clientIp: facts.clientIp,
        requestId: facts.requestId,
        payload: { sessionId: used.reused, sessionRevoked: revoked.length > 0 },
      });
      return { refused: true as const };
    }
    const state = await sessionState(tx, used.sessionId);
    const now = Date.now();
    if (!state || state.revokedAt || state.disabled || state.absoluteExpiresAt.getTime() <= now || now - state.lastSeenAt.getTime() > security.SESSION_IDLE_TIMEOUT_S * 1000) {
      return { refused: true as const };
    }
    // An admin without a second factor (promoted, reset, or from before two-factor login) gets no
    // new token: the next login asks for enrolment.
    if (state.role === 'admin' && !(await hasSecondFactor(tx, state.userId))) return { refused: true as const };
    const next = newRefreshToken();
    await insertRefreshToken(tx, used.sessionId, next.hash, hash);
    await tx`update sessions set last_seen_at = now() where id = ${used.sessionId}`;
    await audit.append(tx, {
      type: 'TOKEN_REFRESHED',
      actor: { type: 'user', id: state.username },
      accountId: state.accountId,
      clientIp: facts.clientIp,
      requestId: facts.requestId,
      payload: { sessionId: used.sessionId },
    });
    const access = await issueAccessToken(tokenSettings(security), { userId: state.userId, sessionId: used.sessionId, role: state.role, accountId: state.accountId });
    return { tokens: { accessToken: access.token, refreshToken: next.token, tokenType: 'Bearer' as const, expiresIn: security.ACCESS_TOKEN_TTL_S } };
  });
  if ('refused' in outcome) throw refreshRefused();
  return outcome.tokens;
}

/** End one session (logout) or all of a user's sessions (admin, disable, password change). */
export async function endSessions(
  sql: Sql,
  audit: AuditLog,
  target: SessionTarget,
  reason: string,
  actor: Actor,
  facts: Partial<RequestFacts>,
): Promise<string[]> {
  return transaction(sql, async (tx) => {
    const ids = await revokeSessions(tx, target, reason);
    const user = target.userId ? await userById(tx, target.userId) : undefined;
    await audit.append(tx, {
      type: target.sessionId ? 'USER_LOGOUT' : 'SESSIONS_REVOKED',
      actor,
      accountId: user?.accountId,
      clientIp: facts.clientIp,
      requestId: facts.requestId,
      payload: { reason, sessions: ids, user: user?.username },
    });
    return ids;
  });
}
