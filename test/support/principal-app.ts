/**
 * A router mounted behind a stand-in for the auth middleware: every request runs as `principal`.
 * Lets route tests exercise authorization and handlers before the real auth middleware exists.
 */
import { OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from '../../src/api/context.ts';
import { errorHandler } from '../../src/api/middleware/errors.ts';
import { type Principal, ROLE_SCOPES, type Role } from '../../src/security/principal.ts';
import { silentLogger } from './logger.ts';

export function principalFor(role: Role, name = `${role}-user`): Principal {
  return { kind: 'user', id: `u-${name}`, name, role, scopes: ROLE_SCOPES[role], accountId: 'main' };
}

export function asPrincipal(principal: Principal, router: OpenAPIHono<AppEnv>): OpenAPIHono<AppEnv> {
  const app = new OpenAPIHono<AppEnv>();
  app.use(async (c, next) => {
    c.set('requestId', 'test-request');
    c.set('principal', principal);
    await next();
  });
  app.onError(errorHandler(silentLogger));
  app.route('/', router);
  return app;
}
