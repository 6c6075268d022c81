/**
 * JSON bodies must be Unicode text. JSON may escape half of a surrogate pair ("\ud800"), which is
 * no character at all: PostgreSQL refuses it in jsonb, so such a string reached the audit insert
 * and failed as a 500. It is refused here as a 400 naming the field, before any handler runs.
 * Bodies that do not parse are left to the route's own validation.
 *
 * @module
 */
import type { MiddlewareHandler } from 'hono';
import { ValidationError } from '../../domain/errors.ts';
import type { AppEnv } from '../context.ts';

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

export const wellFormedJson: MiddlewareHandler<AppEnv> = async (c, next) => {
  if (c.req.method === 'GET' || c.req.method === 'HEAD' || !c.req.header('content-type')?.includes('json')) return next();
  const text = await c.req.text(); // Hono keeps the body: the route reads it again
  if (text.includes('\\u')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      return next();
    }
    const pointer = loneSurrogateAt(parsed, '');
    if (pointer !== undefined) {
      throw new ValidationError('The body holds text that is not valid Unicode', [{ location: 'body', pointer, detail: 'contains half of a UTF-16 surrogate pair, which is not a character' }]);
    }
  }
  await next();
};

/** JSON Pointer of the first string (or key) holding a lone surrogate. */
function loneSurrogateAt(value: unknown, pointer: string): string | undefined {
  if (typeof value === 'string') return LONE_SURROGATE.test(value) ? pointer : undefined;
  if (value === null || typeof value !== 'object') return undefined;
  for (const [key, v] of Object.entries(value)) {
    const here = `${pointer}/${key.replaceAll('~', '~0').replaceAll('/', '~1')}`;
    if (LONE_SURROGATE.test(key)) return here;
    const found = loneSurrogateAt(v, here);
    if (found !== undefined) return found;
  }
  return undefined;
}
