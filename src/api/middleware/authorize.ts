/**
 * Authorization by scope: each route class names the scope a method needs (read, trade, admin).
 * A caller without it gets 403; without any identity, 401.
 *
 * @module
 */
import type { MiddlewareHandler } from 'hono';
import { PermissionError } from '../../domain/errors.ts';
import type { Scope } from '../../security/principal.ts';
import { type AppEnv, principalOf } from '../context.ts';

export type ScopeByMethod = Partial<Record<'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', Scope>>;

export function requireScope(rule: Scope | ScopeByMethod): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const principal = principalOf(c);
    const method = c.req.method === 'HEAD' ? 'GET' : (c.req.method as keyof ScopeByMethod);
    const needed = typeof rule === 'string' ? rule : rule[method];
    if (!needed) throw new PermissionError(`${c.req.method} is not allowed here`);
    if (!principal.scopes.includes(needed)) throw new PermissionError(`This needs the '${needed}' scope`);
    await next();
  };
}
