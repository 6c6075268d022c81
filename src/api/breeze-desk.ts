/**
 * The operator's side of Breeze, as the API may use it: set the day's session from the
 * API_Session of ICICI's browser login (the same exchange and audit as `npm run breeze:session`),
 * and read what is left of the workers' shared call budget. It holds no broker client: the API
 * never places, reads or cancels orders, it only does what an operator would do at a terminal.
 *
 * @module
 */
import type { AuditLog } from '../audit/append.ts';
import { breezeLoginOptions } from '../broker/breeze/create.ts';
import { type SessionSetBy, setSessionAsOperator } from '../broker/breeze/operator-session.ts';
import type { SessionSet } from '../broker/breeze/session.ts';
import type { BrokerRateLimiter } from '../broker/rate-limit/limiter.ts';
import type { RateBudget } from '../broker/rate-limit/store.ts';
import type { Config } from '../config.ts';
import type { Sql } from '../db/pool.ts';

export interface BreezeDesk {
  /** Exchange, store and audit the day's session. Throws BrokerSessionExpiredError when Breeze refuses the API_Session. */
  setSession(apiSession: string, by: SessionSetBy): Promise<SessionSet>;
  /** What is left of the shared call budget (the workers' own counters). */
  remainingBudget(): Promise<RateBudget | undefined>;
}

/** `limiter`: the workers' shared budget, which the login call counts against too. */
export function breezeDesk(deps: { config: Config; sql: Sql; audit: AuditLog; limiter: BrokerRateLimiter }): BreezeDesk {
  const login = breezeLoginOptions(deps.config, deps.limiter);
  return {
    setSession: (apiSession, by) => setSessionAsOperator({ sql: deps.sql, audit: deps.audit }, login, apiSession, by),
    remainingBudget: () => deps.limiter.remaining(),
  };
}
