/**
 * Queries of `breeze_sessions`: the Breeze session token of each IST trading day, shared by every
 * worker (migration 0021).
 *
 * @module
 */
import type { Queryable } from './pool.ts';

export interface StoredBreezeSession {
  tradingDay: string;
  apiSession: string;
  sessionToken: string;
  userId: string;
}

/** The live session of an IST day, if one was set and not found expired. */
export async function loadBreezeSession(sql: Queryable, tradingDay: string): Promise<StoredBreezeSession | undefined> {
  const [row] = await sql<StoredBreezeSession[]>`
    select to_char(trading_day, 'YYYY-MM-DD') as "tradingDay", api_session as "apiSession", session_token as "sessionToken", user_id as "userId"
    from breeze_sessions where trading_day = ${tradingDay} and expired_at is null`;
  return row;
}

/** Set (or replace) the session of an IST day. */
export async function saveBreezeSession(sql: Queryable, session: StoredBreezeSession): Promise<void> {
  await sql`
    insert into breeze_sessions (trading_day, api_session, session_token, user_id)
    values (${session.tradingDay}, ${session.apiSession}, ${session.sessionToken}, ${session.userId})
    on conflict (trading_day) do update set api_session = excluded.api_session, session_token = excluded.session_token,
      user_id = excluded.user_id, expired_at = null, updated_at = now()`;
}

/** Store the session of an IST day unless a live one is already stored; returns the one that is stored. */
export async function saveBreezeSessionIfAbsent(sql: Queryable, session: StoredBreezeSession): Promise<StoredBreezeSession> {
  await sql`
    insert into breeze_sessions (trading_day, api_session, session_token, user_id)
    values (${session.tradingDay}, ${session.apiSession}, ${session.sessionToken}, ${session.userId})
    on conflict (trading_day) do update set api_session = excluded.api_session, session_token = excluded.session_token,
      user_id = excluded.user_id, expired_at = null, updated_at = now()
    where breeze_sessions.expired_at is not null`;
  return (await loadBreezeSession(sql, session.tradingDay)) ?? session;
}

/** Mark the day's session expired, if it still holds this token (a newer one set meanwhile stays). */
export async function expireBreezeSession(sql: Queryable, tradingDay: string, sessionToken: string): Promise<void> {
  await sql`
    update breeze_sessions set expired_at = now(), updated_at = now()
    where trading_day = ${tradingDay} and session_token = ${sessionToken} and expired_at is null`;
}

/** What may be shown of an IST day's session (GET /broker/status): never the API_Session or the token. */
export interface BreezeSessionState {
  tradingDay: string;
  userId: string;
  setAt: Date;
  /** When a worker found Breeze refusing it; null while it is believed valid. */
  expiredAt: Date | null;
}

export async function breezeSessionState(sql: Queryable, tradingDay: string): Promise<BreezeSessionState | undefined> {
  const [row] = await sql<BreezeSessionState[]>`
    select to_char(trading_day, 'YYYY-MM-DD') as "tradingDay", user_id as "userId", updated_at as "setAt", expired_at as "expiredAt"
    from breeze_sessions where trading_day = ${tradingDay}`;
  return row;
}
