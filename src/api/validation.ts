/**
 * Request validation failures from the zod schemas, as one 400 problem listing every field
 * problem with a JSON Pointer to it.
 *
 * @module
 */
import type { Context } from 'hono';
import type { ZodError } from 'zod';
import { type FieldProblem, ValidationError } from '../domain/errors.ts';

const LOCATIONS: Record<string, FieldProblem['location']> = { json: 'body', form: 'body', query: 'query', header: 'header', param: 'path' };

export function fieldProblems(error: ZodError, target: string): FieldProblem[] {
  return error.issues.map((issue) => ({
    location: LOCATIONS[target] ?? 'body',
    pointer: `/${issue.path.map((p) => String(p).replaceAll('~', '~0').replaceAll('/', '~1')).join('/')}`,
    detail: issue.message,
  }));
}

/** `defaultHook` of every OpenAPIHono router: refuse invalid input before a handler runs. */
export function validationHook(result: { success: boolean; error?: ZodError; target: string }, _c: Context): void {
  if (!result.success && result.error) {
    throw new ValidationError('The request is not valid; see errors for each field', fieldProblems(result.error, result.target));
  }
}
