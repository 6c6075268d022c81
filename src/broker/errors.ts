/**
 * How a broker call can fail, in the terms the trade workflow acts on:
 * - rejected: the broker said no; retrying the same order will not help;
 * - unavailable: the order certainly did not reach the broker (or a read failed); retry later;
 * - outcome unknown: the request may have been acted on (timeout after sending, an unclear 5xx).
 *   The leg becomes UNKNOWN and is settled by looking its tag up, never by sending it again blindly.
 *
 * @module
 */
import { AppError } from '../domain/errors.ts';

export class BrokerRejectedError extends AppError {
  constructor(reason: string, cause?: unknown) {
    super('broker-rejected', `The broker rejected the order: ${reason}`, { category: 'business', status: 422, severity: 'MEDIUM', cause });
  }
}

export class BrokerUnavailableError extends AppError {
  constructor(reason: string, cause?: unknown, retryAfterSeconds = 2) {
    super('broker-unavailable', `The broker is unavailable: ${reason}`, {
      category: 'dependency',
      status: 503,
      severity: 'HIGH',
      retryable: true,
      retryAfterSeconds,
      cause,
    });
  }
}

export class BrokerOutcomeUnknownError extends AppError {
  constructor(reason: string, cause?: unknown) {
    super('broker-outcome-unknown', `The broker's answer is unclear: ${reason}`, { category: 'dependency', status: 503, severity: 'HIGH', cause });
  }
}

/**
 * The broker session has expired; trading reduces to exits until an operator sets a new one.
 * Retryable, after a long delay: nothing was done at the broker (a refused session acts on
 * nothing), and an exit must keep trying until the operator has set the new day's session
 * (src/activities/orders.ts).
 */
export class BrokerSessionExpiredError extends AppError {
  constructor(reason: string, cause?: unknown, retryAfterSeconds = 60) {
    super('broker-session-expired', `The broker session has expired: ${reason}`, { category: 'dependency', status: 503, severity: 'CRITICAL', retryable: true, retryAfterSeconds, cause });
  }
}
