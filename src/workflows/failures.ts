/**
 * Reading activity failures inside workflow code: the AppError code an activity failed with
 * (carried as the ApplicationFailure type, see src/activities/failure.ts).
 *
 * @module
 */
import { ActivityFailure, ApplicationFailure } from '@temporalio/workflow';

/** The error code of a failed activity, or `undefined` when it failed some other way. */
export function failureCode(err: unknown): string | undefined {
  let f: unknown = err;
  for (let depth = 0; f && depth < 5; depth++) {
    if (f instanceof ApplicationFailure && f.type) return f.type;
    f = f instanceof ActivityFailure || f instanceof Error ? f.cause : undefined;
  }
  return undefined;
}

/** Short text of a failure for records and messages. */
export function failureMessage(err: unknown): string {
  let f: unknown = err;
  for (let depth = 0; f && depth < 5; depth++) {
    if (f instanceof ApplicationFailure) return f.message;
    f = f instanceof Error ? f.cause : undefined;
  }
  return err instanceof Error ? err.message : String(err);
}
