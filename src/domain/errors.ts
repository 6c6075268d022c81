/**
 * The one error hierarchy of the system. Every error a user can meet is an {@link AppError} with a
 * stable `code`, a category, a severity, the HTTP status it maps to and whether retrying can help.
 * The edges translate it in one place each: HTTP to RFC 9457 problem+json (`src/api/problem.ts`),
 * Temporal to `ApplicationFailure` (`src/activities/failure.ts`).
 *
 * `message` is safe to show a client; internals go to `cause`, which is logged and never sent.
 *
 * @module
 */

export type ErrorCategory =
  | 'validation'
  | 'business'
  | 'authentication'
  | 'permission'
  | 'not_found'
  | 'conflict'
  | 'rate_limit'
  | 'dependency'
  | 'internal';

export type Severity = 'LOW' | 'MEDIUM' | 'HIGH' | 'CRITICAL';

export interface AppErrorOptions {
  category: ErrorCategory;
  status: number;
  severity?: Severity;
  retryable?: boolean;
  retryAfterSeconds?: number;
  /** Extra members safe for clients (problem+json extensions), e.g. `violations`. */
  extensions?: Record<string, unknown>;
  cause?: unknown;
}

/** The serialisable form, carried as `ApplicationFailure` details across Temporal. */
export interface AppErrorData {
  code: string;
  message: string;
  category: ErrorCategory;
  status: number;
  severity: Severity;
  retryable: boolean;
  retryAfterSeconds?: number;
  extensions?: Record<string, unknown>;
}

export class AppError extends Error {
  readonly code: string;
  readonly category: ErrorCategory;
  readonly status: number;
  readonly severity: Severity;
  readonly retryable: boolean;
  readonly retryAfterSeconds: number | undefined;
  readonly extensions: Record<string, unknown> | undefined;

  constructor(code: string, message: string, options: AppErrorOptions) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AppError';
    this.code = code;
    this.category = options.category;
    this.status = options.status;
    this.severity = options.severity ?? 'LOW';
    this.retryable = options.retryable ?? false;
    this.retryAfterSeconds = options.retryAfterSeconds;
    this.extensions = options.extensions;
  }

  toJSON(): AppErrorData {
    return {
      code: this.code,
      message: this.message,
      category: this.category,
      status: this.status,
      severity: this.severity,
      retryable: this.retryable,
      ...(this.retryAfterSeconds === undefined ? {} : { retryAfterSeconds: this.retryAfterSeconds }),
      ...(this.extensions === undefined ? {} : { extensions: this.extensions }),
    };
  }

  static fromJSON(data: AppErrorData): AppError {
    return new AppError(data.code, data.message, data);
  }
}

/** A field-level problem: where in the request (body, query, header, path) and a JSON Pointer (RFC 6901) into it. */
export interface FieldProblem {
  location: 'body' | 'query' | 'header' | 'path';
  pointer: string;
  detail: string;
}

export class ValidationError extends AppError {
  constructor(message: string, errors: FieldProblem[] = []) {
    super('validation-failed', message, { category: 'validation', status: 400, extensions: errors.length ? { errors } : undefined });
  }
}

export class NotFoundError extends AppError {
  constructor(what: string) {
    super('not-found', `${what} was not found`, { category: 'not_found', status: 404 });
  }
}

export class ConflictError extends AppError {
  constructor(code: string, message: string, extensions?: Record<string, unknown>) {
    super(code, message, { category: 'conflict', status: 409, extensions });
  }
}

/** A request the business rules refuse (422), other than a risk rejection. */
export class BusinessRuleError extends AppError {
  constructor(code: string, message: string, extensions?: Record<string, unknown>) {
    super(code, message, { category: 'business', status: 422, extensions });
  }
}

export class AuthenticationError extends AppError {
  constructor(message = 'Authentication required', code = 'unauthenticated') {
    super(code, message, { category: 'authentication', status: 401, severity: 'MEDIUM' });
  }
}

export class PermissionError extends AppError {
  constructor(message = 'Not allowed', code = 'forbidden') {
    super(code, message, { category: 'permission', status: 403, severity: 'MEDIUM' });
  }
}

export class AccountLockedError extends AppError {
  constructor(retryAfterSeconds: number) {
    super('account-locked', 'Account temporarily locked after repeated failed logins', {
      category: 'authentication',
      status: 423,
      severity: 'HIGH',
      retryAfterSeconds,
    });
  }
}

export class RateLimitError extends AppError {
  constructor(retryAfterSeconds: number, extensions?: Record<string, unknown>) {
    super('quota-exceeded', 'Too many requests', { category: 'rate_limit', status: 429, severity: 'MEDIUM', retryAfterSeconds, extensions });
  }
}

/** A dependency (database, Temporal, broker) is not answering; retrying later can help. */
export class UnavailableError extends AppError {
  constructor(message: string, cause?: unknown, retryAfterSeconds = 5) {
    super('service-unavailable', message, { category: 'dependency', status: 503, severity: 'HIGH', retryable: true, retryAfterSeconds, cause });
  }
}

export class InternalError extends AppError {
  constructor(cause?: unknown) {
    super('internal', 'An unexpected error occurred', { category: 'internal', status: 500, severity: 'HIGH', cause });
  }
}

/** Anything thrown, as an AppError: unknown errors become an opaque InternalError. */
export function toAppError(err: unknown): AppError {
  return err instanceof AppError ? err : new InternalError(err);
}
