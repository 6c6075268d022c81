/**
 * Temporal's errors, as seen by an HTTP client: a refused update is a conflict with the trade's
 * state, an unreachable server is 503, anything else is internal.
 *
 * @module
 */
import { isGrpcServiceError, ServiceError, WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { AppError, ConflictError, NotFoundError, UnavailableError } from '../domain/errors.ts';

export function fromTemporalError(err: unknown, what = 'the workflow'): AppError {
  if (err instanceof AppError) return err;
  if (err instanceof WorkflowUpdateFailedError && err.cause instanceof ApplicationFailure) {
    const cause = err.cause;
    if (cause.type === 'trade-final' || cause.type === 'trade-state-conflict' || cause.type === 'resume-too-early') {
      return new ConflictError(cause.type, cause.message);
    }
    return new ConflictError('update-refused', cause.message);
  }
  if (err instanceof WorkflowNotFoundError) return new NotFoundError(what);
  if (err instanceof ServiceError || isGrpcServiceError(err)) return new UnavailableError('The workflow engine is unavailable; try again shortly', err);
  return new AppError('internal', 'An unexpected error occurred', { category: 'internal', status: 500, severity: 'HIGH', cause: err });
}
