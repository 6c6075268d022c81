/**
 * What an order activity does when the broker says the session has expired (Breeze ends sessions
 * at IST midnight or after 24 hours, docs/breeze-api.md#session): reduce the account's trading to
 * exits through the circuit breaker, raise an alert, and fail the attempt as retryable after
 * BROKER_SESSION_RETRY_S.
 *
 * Why reduce instead of failing order by order: every order would fail the same way until an
 * operator sets the new day's session (POST /broker/session or `npm run breeze:session`). REDUCING
 * makes the risk check refuse new entries at once, while exits (and polls and cancels of orders
 * already sent) keep retrying, since a refused session acted on nothing and sending again cannot
 * duplicate an order. Once a session is set, the next retry goes through; trading stays REDUCING
 * until an admin resumes it (POST /risk/resume). Reducing is idempotent: the breaker moves only
 * from ACTIVE, and audits (TRADING_REDUCED) only when it moves.
 *
 * @module
 */
import type { Actor } from '../audit/events.ts';
import { BrokerSessionExpiredError } from '../broker/errors.ts';
import type { ActivityDeps } from './context.ts';

export interface SessionScope {
  accountId: string;
  tradeId: string;
  tag: string;
  leg: 'ENTRY' | 'EXIT';
}

export function sessionExpiryGuard(deps: ActivityDeps) {
  const actor: Actor = { type: 'system', id: 'broker-session' };

  async function reduce(scope: SessionScope, action: string, err: BrokerSessionExpiredError): Promise<void> {
    deps.log.error(
      { alert: 'broker_session_expired', broker: deps.broker.name, accountId: scope.accountId, tradeId: scope.tradeId, tag: scope.tag, leg: scope.leg, action, retryInS: deps.config.broker.BROKER_SESSION_RETRY_S },
      `broker session expired during ${action}: trading reduced to exits until an operator sets a new session (POST /broker/session), then resumes (POST /risk/resume)`,
    );
    try {
      await deps.breaker.reduce(scope.accountId, `BROKER_SESSION_EXPIRED: ${err.message}`, actor);
    } catch (reduceErr) {
      // The retry comes back here: the next attempt asks again.
      deps.log.warn({ err: reduceErr, accountId: scope.accountId }, 'could not reduce trading after the broker session expired');
    }
  }

  /** Run a broker step; an expired session reduces trading and fails retryably after the configured delay. */
  return async function guarded<T>(scope: SessionScope, action: string, step: () => Promise<T>): Promise<T> {
    try {
      return await step();
    } catch (err) {
      if (!(err instanceof BrokerSessionExpiredError)) throw err;
      await reduce(scope, action, err);
      throw new BrokerSessionExpiredError('waiting for an operator to set a new session', err, deps.config.broker.BROKER_SESSION_RETRY_S);
    }
  };
}
