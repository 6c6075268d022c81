/**
 * Login, token refresh, logout and password change.
 *
 * @module
 */
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { transaction } from '../../db/transaction.ts';
import { updateUser, userById } from '../../db/users.ts';
import { AuthenticationError, RateLimitError, ValidationError } from '../../domain/errors.ts';
import { checkPassword, login } from '../../security/login.ts';
import { hashPassword, passwordProblems } from '../../security/passwords.ts';
import { actorOf } from '../../security/principal.ts';
import { endSessions, refreshSession, type RequestFacts } from '../../security/sessions.ts';
import { type AppEnv, principalOf } from '../context.ts';
import type { AppDeps } from '../deps.ts';
import { validationHook } from '../validation.ts';
import { problem } from '../schemas/common.ts';

export const TokenPair = z
  .object({ accessToken: z.string(), refreshToken: z.string(), tokenType: z.literal('Bearer'), expiresIn: z.number().int() })
  .openapi('TokenPair');
const json = <T extends z.ZodType>(schema: T) => ({ content: { 'application/json': { schema } }, required: true });

const loginRoute = createRoute({
  method: 'post',
  path: '/login',
  tags: ['auth'],
  summary: 'Log in: an access token (15 min) and a refresh token; with two-factor login on, also `otp` (or `recoveryCode`)',
  request: {
    body: json(
      z
        .object({
          username: z.string().min(1).max(64),
          password: z.string().min(1).max(256),
          otp: z.string().regex(/^\d{6}$/).optional().openapi({ description: 'The code of the authenticator app (users with two-factor login on)' }),
          recoveryCode: z.string().min(1).max(64).optional().openapi({ description: 'A one-time recovery code instead of `otp`' }),
        })
        .strict(),
    ),
  },
  responses: {
    200: { description: 'Logged in', content: { 'application/json': { schema: TokenPair } } },
    401: problem(
      'Invalid credentials (`/problems/invalid-credentials`); a code is needed (`/problems/otp-required`: ask for it and send it as `otp`); a wrong or reused code (`/problems/invalid-otp`, counted like a wrong password); an admin without a second factor (`/problems/otp-enrolment-required`, with `enrolmentToken`: enrol through POST /auth/2fa/enroll and /auth/2fa/confirm)',
    ),
    423: problem('Account locked (Retry-After says for how long)'),
  },
});

const refreshRoute = createRoute({
  method: 'post',
  path: '/refresh',
  tags: ['auth'],
  summary: 'Rotate the refresh token; using one twice revokes the session',
  request: { body: json(z.object({ refreshToken: z.string().min(1).max(4096) }).strict()) },
  responses: { 200: { description: 'A new token pair', content: { 'application/json': { schema: TokenPair } } }, 401: problem('Refused') },
});

const logoutRoute = createRoute({
  method: 'post',
  path: '/logout',
  tags: ['auth'],
  summary: 'End this session',
  responses: { 204: { description: 'Logged out' } },
});

const passwordRoute = createRoute({
  method: 'post',
  path: '/password',
  tags: ['auth'],
  summary: 'Change your password (ends your other sessions)',
  request: { body: json(z.object({ currentPassword: z.string().min(1).max(256), newPassword: z.string().min(1).max(256) }).strict()) },
  responses: { 204: { description: 'Changed' }, 401: problem('Current password wrong (counted like a failed login)'), 423: problem('Locked out after too many wrong passwords') },
});

export function authRoutes(deps: Pick<AppDeps, 'sql' | 'config' | 'audit' | 'rateLimiter' | 'sessions'>) {
  const { sql, config, audit } = deps;
  const facts = (c: Context<AppEnv>): RequestFacts => ({ clientIp: c.get('clientIp'), userAgent: c.req.header('user-agent'), requestId: c.get('requestId') });

  return new OpenAPIHono<AppEnv>({ defaultHook: validationHook })
    .openapi(loginRoute, async (c) => {
      const { username, password, otp, recoveryCode } = c.req.valid('json');
      // Per-username limit too, before any hash is computed (the per-IP one ran in the policy middleware).
      const perUser = await deps.rateLimiter.consume('auth', `login:${username.toLowerCase()}`);
      if (!perUser.allowed) throw new RateLimitError(perUser.retryAfterSeconds ?? 1, { 'violated-policies': perUser.violatedPolicies });
      return c.json(await login(sql, config.security, audit, username, password, facts(c), { otp, recoveryCode }), 200);
    })
    .openapi(refreshRoute, async (c) => c.json(await refreshSession(sql, config.security, audit, c.req.valid('json').refreshToken, facts(c)), 200))
    .openapi(logoutRoute, async (c) => {
      const principal = principalOf(c);
      if (!principal.sessionId) throw new AuthenticationError('Only a user session can log out');
      await endSessions(sql, audit, { sessionId: principal.sessionId }, 'logout', actorOf(principal), facts(c));
      deps.sessions.forget(principal.sessionId);
      return c.body(null, 204);
    })
    .openapi(passwordRoute, async (c) => {
      const principal = principalOf(c);
      if (principal.kind !== 'user') throw new AuthenticationError('Only a user can change a password');
      const { currentPassword, newPassword } = c.req.valid('json');
      const account = await userById(sql, principal.id);
      if (!account) throw new AuthenticationError('The session has ended');
      const user = await checkPassword(sql, config.security, audit, account.username, currentPassword, facts(c), 'password change');
      const problems = passwordProblems(newPassword, user.username, config.security.PASSWORD_MIN_LENGTH, '/newPassword');
      if (problems.length) throw new ValidationError('The new password does not meet the policy', problems);
      const hash = await hashPassword(newPassword, config.security.BCRYPT_COST);
      await transaction(sql, async (tx) => {
        await updateUser(tx, user.id, { passwordHash: hash });
        await audit.append(tx, { type: 'PASSWORD_CHANGED', actor: actorOf(principal), accountId: user.accountId, clientIp: c.get('clientIp'), requestId: c.get('requestId'), payload: { user: user.username } });
      });
      // Other sessions end (ASVS 5 §7.4.3); this one stays.
      const ended = await endSessions(sql, audit, { userId: user.id, exceptSessionId: principal.sessionId }, 'password changed', actorOf(principal), facts(c));
      ended.forEach((id) => deps.sessions.forget(id));
      return c.body(null, 204);
    });
}
