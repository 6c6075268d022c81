/**
 * The operator's side of Breeze, as the API may use it: set the day's session from the
 * API_Session of ICICI's browser login (the same exchange and audit as `npm run breeze:session`),
 * and read what is left of the workers' shared call budget. It holds no broker client: the API
 * never places, reads or cancels orders, it only does what an operator would do at a terminal.
 *
 * @module
 */
import type { AuditLog } from '../../audit/append.ts';
import { breezeLoginOptions } from './create.ts';
import { type SessionSetBy, setSessionAsOperator } from './operator-session.ts';
import { type SessionSet, sessionDay } from './session.ts';
import { BusinessRuleError } from '../../domain/errors.ts';
import { BrokerSessionExpiredError } from '../errors.ts';
import type { BrokerRateLimiter } from '../rate-limit/limiter.ts';
import type { RateBudget } from '../rate-limit/store.ts';
import type { Config } from '../../config.ts';
import type { Sql } from '../../db/pool.ts';

export interface BreezeDesk {
  /** Exchange, store and audit the day's session. Throws a BusinessRuleError (`broker-session-refused`) when Breeze refuses the API_Session. */
  setSession(apiSession: string, by: SessionSetBy): Promise<SessionSet>;
  /** The IST trading day a session set now would be for. */
  tradingDay(): string;
  /** What is left of the shared call budget (the workers' own counters). */
  remainingBudget(): Promise<RateBudget | undefined>;
}

/** `limiter`: the workers' shared budget, which the login call counts against too. */
export function breezeDesk(deps: { config: Config; sql: Sql; audit: AuditLog; limiter: BrokerRateLimiter }): BreezeDesk {
  const login = breezeLoginOptions(deps.config.broker, deps.limiter);
  return {
    async setSession(apiSession, by) {
      try {
        return await setSessionAsOperator({ sql: deps.sql, audit: deps.audit }, login, apiSession, by);
      } catch (err) {
        if (err instanceof BrokerSessionExpiredError) {
          throw new BusinessRuleError('broker-session-refused', 'Breeze refused this API_Session: log in to ICICI again and use the new one');
        }
        throw err;
      }
    },
    tradingDay: () => sessionDay(new Date()),
    remainingBudget: () => deps.limiter.remaining(),
  };
}
