/**
 * The HTTP edge of the error hierarchy: every thrown thing becomes problem+json, and only the
 * log sees what went wrong inside.
 *
 * @module
 */
import type { Context, ErrorHandler, NotFoundHandler } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { AppError, NotFoundError, toAppError } from '../../domain/errors.ts';
import type { Logger } from '../../config/logger.ts';
import { notPlaced, outcomeUnknown, type RequestDeadline } from '../handover.ts';
import { problemResponse } from '../problem.ts';

const CODES_BY_STATUS: Record<number, string> = {
  400: 'bad-request',
  401: 'unauthenticated',
  403: 'forbidden',
  404: 'not-found',
  405: 'method-not-allowed',
  413: 'payload-too-large',
  415: 'unsupported-media-type',
  504: 'timeout',
};

/** Errors of a dependency that is down or unreachable: 503, not 500. */
const DEPENDENCY_DOWN = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'CONNECTION_CLOSED', 'CONNECTION_ENDED', 'CONNECTION_DESTROYED', 'CONNECT_TIMEOUT', '57P01', '57P03']);

function fromHttpException(err: HTTPException): AppError {
  const code = CODES_BY_STATUS[err.status] ?? 'http-error';
  const category = err.status === 401 ? 'authentication' : err.status === 403 ? 'permission' : err.status >= 500 ? 'dependency' : 'validation';
  // Hono's own messages ("Malformed JSON in request body", "Payload Too Large") are written for clients.
  return new AppError(code, err.message || code, { category, status: err.status });
}

function classify(err: unknown): AppError {
  if (err instanceof AppError) return err;
  if (err instanceof HTTPException) return fromHttpException(err);
  const code = typeof err === 'object' && err !== null && 'code' in err ? String((err as { code: unknown }).code) : '';
  if (DEPENDENCY_DOWN.has(code)) return notPlaced('A dependency is unavailable; nothing was placed, try again shortly', undefined, err);
  return toAppError(err);
}

export function errorHandler(log: Logger): ErrorHandler {
  return (err, c) => {
    const appError = classify(err);
    const requestId = c.get('requestId') as string | undefined;
    const context = { requestId, method: c.req.method, path: c.req.path, status: appError.status, code: appError.code };
    // Handed to Temporal: the trade may exist, so no 5xx may suggest it does not (../handover.ts).
    const handedOver = (c.get('deadline') as RequestDeadline | undefined)?.handedOver;
    if (handedOver && appError.status >= 500) {
      log.warn({ ...context, err: err instanceof AppError && err.cause ? err.cause : err }, 'outcome of a handed-over request unknown');
      return outcomeUnknown(c, handedOver, appError.message);
    }
    if (appError.status >= 500) log.error({ ...context, err: err instanceof AppError && err.cause ? err.cause : err }, 'request failed');
    else log.info(context, `request refused: ${appError.message}`);
    // Keep headers such as WWW-Authenticate that Hono's middleware put on its own response.
    const headers = err instanceof HTTPException ? filterHeaders(err.getResponse().headers) : undefined;
    return problemResponse(c, appError, headers);
  };
}

function filterHeaders(source: Headers): Headers {
  const kept = new Headers();
  for (const name of ['www-authenticate', 'retry-after', 'allow']) {
    const value = source.get(name);
    if (value) kept.set(name, value);
  }
  return kept;
}

export const notFoundHandler: NotFoundHandler = (c: Context) => problemResponse(c, new NotFoundError(`${c.req.method} ${c.req.path}`));
