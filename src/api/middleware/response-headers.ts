/**
 * The headers every answer carries: the request id (X-Request-Id) and the security headers of
 * `hono/secure-headers`, set before the route runs so that a route's own value wins (the docs
 * page and the HTML report set a CSP of their own, which the library's middleware, setting its
 * headers after the route, used to overwrite).
 *
 * Served by @hono/node-server they are set on Node's response, where the adapter's `writeHead`
 * merges them under the answer's own headers; an answer whose only header is its content type
 * then takes the adapter's fast path. Through Hono's `c.header()` every answer built a WHATWG
 * `Headers` object and the adapter copied it back out: a fifth of a minimal app's throughput, and
 * the authenticated reads serve about 12% more a second without it (docs/benchmarks.md, "Answer
 * headers on Node's response"). In-process requests (`app.request`, the tests) have no Node
 * response and get the same headers through Hono.
 *
 * @module
 */
import type { ServerResponse } from 'node:http';
import type { Context, MiddlewareHandler } from 'hono';
import { Hono } from 'hono';
import { secureHeaders } from 'hono/secure-headers';
import type { AppEnv } from '../context.ts';

type SecureHeadersOptions = NonNullable<Parameters<typeof secureHeaders>[0]>;

/**
 * The headers `hono/secure-headers` sets with these options, read once from the library itself
 * (names and values stay the library's, only where they are set changes).
 */
export async function secureHeaderValues(options: SecureHeadersOptions): Promise<[string, string][]> {
  const probe = new Hono().use(secureHeaders(options)).get('/', (c) => c.body(null));
  const res = await probe.request('/');
  return [...res.headers];
}

/** Set a header of the answer: on Node's response where there is one, else through Hono. */
export function setResponseHeader(c: Context, name: string, value: string): void {
  const outgoing = (c.env as { outgoing?: ServerResponse } | undefined)?.outgoing;
  if (outgoing && !outgoing.headersSent) outgoing.setHeader(name, value);
  else c.header(name, value);
}

/** A caller's own X-Request-Id is kept when it is short and plain (as `hono/request-id` decides). */
const REQUEST_ID_MAX = 255;
const PLAIN_ID = /^[\w\-=]+$/;

/**
 * @example
 * app.use(responseHeaders(await secureHeaderValues({ contentSecurityPolicy: { defaultSrc: ["'self'"] } })));
 */
export function responseHeaders(security: readonly [string, string][]): MiddlewareHandler<AppEnv> {
  return (c, next) => {
    const given = c.req.header('x-request-id');
    const id = given && given.length <= REQUEST_ID_MAX && PLAIN_ID.test(given) ? given : crypto.randomUUID();
    c.set('requestId', id);
    setResponseHeader(c, 'X-Request-Id', id);
    for (const [name, value] of security) setResponseHeader(c, name, value);
    return next();
  };
}
