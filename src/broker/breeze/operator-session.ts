/**
 * An operator sets the day's Breeze session (POST /broker/session, `npm run breeze:session`):
 * exchange the API_Session, store it for every worker, and audit BROKER_SESSION_SET in the same
 * transaction. The audit record names the trading day and the ICICI user id; never the API_Session
 * or the token, which are credentials for the day.
 *
 * @module
 */
import type { AuditLog } from '../../audit/append.ts';
import type { Actor } from '../../audit/events.ts';
import type { Sql } from '../../db/pool.ts';
import { type LoginOptions, type SessionSet, setBreezeSession } from './session.ts';

export interface SessionSetBy {
  actor: Actor;
  via: 'api' | 'cli';
  accountId?: string | undefined;
  requestId?: string | undefined;
  clientIp?: string | undefined;
  /** Extra facts for the audit record (the CLI's operating-system user). */
  details?: Record<string, unknown> | undefined;
}

/**
 * Set and audit the day's session. Throws BrokerSessionExpiredError when Breeze refuses the
 * API_Session (a typo, or one already used up); nothing is stored then.
 *
 * @example
 * await setSessionAsOperator({ sql, audit }, breezeLoginOptions(config), '50123', { actor, via: 'api' });
 */
export async function setSessionAsOperator(deps: { sql: Sql; audit: AuditLog }, login: LoginOptions, apiSession: string, by: SessionSetBy): Promise<SessionSet> {
  return setBreezeSession(deps.sql, login, apiSession, new Date(), (tx, set) =>
    deps.audit.append(tx, {
      type: 'BROKER_SESSION_SET',
      actor: by.actor,
      accountId: by.accountId,
      requestId: by.requestId,
      clientIp: by.clientIp,
      payload: { broker: 'breeze', tradingDay: set.tradingDay, userId: set.userId, via: by.via, ...by.details },
    }),
  );
}
