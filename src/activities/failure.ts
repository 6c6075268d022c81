/**
 * The Temporal edge of the error hierarchy. An AppError leaving an activity becomes an
 * ApplicationFailure whose `type` is the error code and whose details carry the error's data, so a
 * workflow can act on it by type; errors that retrying cannot fix are non-retryable. Anything else
 * stays a plain (retryable) failure.
 *
 * @module
 */
import { ApplicationFailure } from '@temporalio/common';
import type { ActivityExecuteInput, ActivityInboundCallsInterceptor, Next } from '@temporalio/worker';
import { AppError, type AppErrorData } from '../domain/errors.ts';

export function toApplicationFailure(err: AppError): ApplicationFailure {
  return ApplicationFailure.create({
    message: err.message,
    type: err.code,
    nonRetryable: !err.retryable,
    details: [err.toJSON()],
    ...(err.retryAfterSeconds !== undefined && err.retryable ? { nextRetryDelay: err.retryAfterSeconds * 1000 } : {}),
  });
}

/** The AppError data carried by a failure, when it carries one. */
export function appErrorData(failure: unknown): AppErrorData | undefined {
  let f: unknown = failure;
  for (let depth = 0; f && depth < 5; depth++) {
    if (f instanceof ApplicationFailure && f.details?.[0] && typeof f.details[0] === 'object' && 'code' in (f.details[0] as object)) {
      return f.details[0] as AppErrorData;
    }
    f = (f as { cause?: unknown }).cause;
  }
  return undefined;
}

export class AppErrorInterceptor implements ActivityInboundCallsInterceptor {
  async execute(input: ActivityExecuteInput, next: Next<ActivityInboundCallsInterceptor, 'execute'>): Promise<unknown> {
    try {
      return await next(input);
    } catch (err) {
      throw err instanceof AppError ? toApplicationFailure(err) : err;
    }
  }
}
