/**
 * Queries of `sessions` and `refresh_tokens`.
 *
 * @module
 */
import type { Role } from '../domain/roles.ts';
import type { Queryable } from './pool.ts';

export interface SessionState {
  sessionId: string;
  userId: string;
  username: string;
  role: Role;
  accountId: string;
  disabled: boolean;
  lastSeenAt: Date;
  absoluteExpiresAt: Date;
  revokedAt: Date | null;
}

export async function sessionState(sql: Queryable, sessionId: string): Promise<SessionState | undefined> {
  if (!/^[0-9a-f-]{36}$/i.test(sessionId)) return undefined;
  const [row] = await sql<SessionState[]>`
    select s.id as "sessionId", s.user_id as "userId", u.username, u.role, u.account_id as "accountId", u.disabled,
      s.last_seen_at as "lastSeenAt", s.absolute_expires_at as "absoluteExpiresAt", s.revoked_at as "revokedAt"
    from sessions s join users u on u.id = s.user_id
    where s.id = ${sessionId}`;
  return row;
}

export async function insertSession(sql: Queryable, s: { userId: string; absoluteExpiresAt: Date; clientIp: string; userAgent?: string | undefined }): Promise<string> {
  const [row] = await sql<{ id: string }[]>`
    insert into sessions (user_id, absolute_expires_at, client_ip, user_agent)
    values (${s.userId}, ${s.absoluteExpiresAt}, ${s.clientIp}, ${s.userAgent?.slice(0, 256) ?? null}) returning id`;
  return row!.id;
}

export async function touchSession(sql: Queryable, sessionId: string): Promise<void> {
  await sql`update sessions set last_seen_at = now() where id = ${sessionId} and revoked_at is null`;
}

export async function insertRefreshToken(sql: Queryable, sessionId: string, hash: string, parentHash: string | null): Promise<void> {
  await sql`insert into refresh_tokens (token_hash, session_id, parent_hash) values (${hash}, ${sessionId}, ${parentHash})`;
}

/**
 * Use a refresh token once: marks it used and returns its session, or tells why not
 * (`reused`: it was used before — the caller revokes the session).
 */
export async function useRefreshToken(sql: Queryable, hash: string): Promise<{ sessionId: string } | { reused: string } | undefined> {
  const [used] = await sql<{ sessionId: string }[]>`
    update refresh_tokens set used_at = now()
    where token_hash = ${hash} and used_at is null and revoked_at is null
    returning session_id as "sessionId"`;
  if (used) return used;
  const [known] = await sql<{ sessionId: string }[]>`select session_id as "sessionId" from refresh_tokens where token_hash = ${hash}`;
  return known ? { reused: known.sessionId } : undefined;
}

export interface SessionTarget {
  sessionId?: string | undefined;
  userId?: string | undefined;
  /** With `userId`: every session of the user but this one. */
  exceptSessionId?: string | undefined;
}

/** Revoke sessions (and their refresh tokens); returns the ids revoked now. */
export async function revokeSessions(sql: Queryable, where: SessionTarget, reason: string): Promise<string[]> {
  const rows = await sql<{ id: string }[]>`
    update sessions set revoked_at = now(), revoked_reason = ${reason}
    where revoked_at is null
      and ${where.sessionId ? sql`id = ${where.sessionId}` : sql`user_id = ${where.userId ?? null}`}
      ${where.exceptSessionId ? sql`and id <> ${where.exceptSessionId}` : sql``}
    returning id`;
  const ids = rows.map((r) => r.id);
  if (ids.length) {
    await sql`update refresh_tokens set revoked_at = now() where session_id in ${sql(ids)} and revoked_at is null`;
    for (const id of ids) await sql`select pg_notify('session_revoked', ${id})`;
  }
  return ids;
}
