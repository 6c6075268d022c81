/**
 * RFC 9457 problem details: the one shape of every error response. `detail` comes from the
 * error's client-safe message; stacks, SQL and secrets stay in the log, which carries the same
 * request id as the response's `instance`.
 *
 * @module
 */
import type { Context } from 'hono';
import { type AppError } from '../domain/errors.ts';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/** Type URIs registered by IANA that we use as they are (RFC 9457 §4.2; ratelimit-headers draft). */
const IANA_TYPES: Record<string, string> = {
  'quota-exceeded': 'https://iana.org/assignments/http-problem-types#quota-exceeded',
};

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  423: 'Locked',
  428: 'Precondition Required',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance: string;
  requestId: string;
  [extension: string]: unknown;
}

export function problemType(code: string): string {
  return IANA_TYPES[code] ?? `/problems/${code}`;
}

export function toProblem(err: AppError, requestId: string): Problem {
  return {
    type: problemType(err.code),
    title: TITLES[err.status] ?? 'Error',
    status: err.status,
    detail: err.message,
    instance: `urn:request:${requestId}`,
    requestId,
    ...(err.extensions ?? {}),
  };
}

/**
 * The response for `err`, with `Retry-After` when the error says when to come back. Headers set
 * earlier in the request (RateLimit, for one) are kept.
 */
export function problemResponse(c: Context, err: AppError, extraHeaders?: Headers): Response {
  const requestId = (c.get('requestId') as string | undefined) ?? 'unknown';
  const headers: Record<string, string> = { 'Content-Type': PROBLEM_CONTENT_TYPE };
  extraHeaders?.forEach((value, name) => {
    headers[name] = value;
  });
  if (err.retryAfterSeconds !== undefined) headers['Retry-After'] = String(Math.max(1, Math.ceil(err.retryAfterSeconds)));
  // Every 401 says how to authenticate (RFC 9110 §11.6.1); bad tokens already carry their error.
  if (err.status === 401 && !Object.keys(headers).some((h) => h.toLowerCase() === 'www-authenticate')) headers['WWW-Authenticate'] = 'Bearer realm="breeze-trader"';
  return c.body(JSON.stringify(toProblem(err, requestId)), err.status as never, headers);
}
