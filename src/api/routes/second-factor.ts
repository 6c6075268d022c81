/**
 * Two-factor login (TOTP): enrol, confirm, see, reset (src/security/totp-enrolment.ts). An admin
 * without a second factor cannot log in; the login answers with an enrolment token, good only
 * here, and confirming the enrolment with it opens the session (README, "Two-factor login").
 *
 * @module
 */
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { hasSecondFactor, totpOf, unusedRecoveryCodes } from '../../db/second-factors.ts';
import { userById, type UserRow } from '../../db/users.ts';
import { AuthenticationError, BusinessRuleError, ConflictError, NotFoundError } from '../../domain/errors.ts';
import { startSession } from '../../security/login.ts';
import { actorOf } from '../../security/principal.ts';
import { checkSecondFactor } from '../../security/second-factor.ts';
import { endSessions, type RequestFacts, tokenSettings } from '../../security/sessions.ts';
import { verifyEnrolmentToken } from '../../security/tokens.ts';
import { confirmEnrolment, resetSecondFactor, startEnrolment } from '../../security/totp-enrolment.ts';
import { type AppEnv, principalOf } from '../context.ts';
import type { AppDeps } from '../deps.ts';
import { problem } from '../schemas/common.ts';
import { validationHook } from '../validation.ts';
import { TokenPair } from './auth.ts';

const json = <T extends z.ZodType>(schema: T) => ({ content: { 'application/json': { schema } }, required: true });
const enrolmentToken = z.string().min(1).max(2048).optional().openapi({ description: 'From a login answered `otp-enrolment-required` (an admin without a second factor); omit with a Bearer token' });
const Otp = z.string().regex(/^\d{6}$/).openapi({ description: 'The 6-digit code the authenticator app shows now' });

const Enrolment = z
  .object({ secret: z.string(), otpauthUri: z.string(), recoveryCodes: z.array(z.string()), algorithm: z.literal('SHA1'), digits: z.literal(6), period: z.number().int() })
  .openapi('TotpEnrolment', { description: 'Shown this once: the secret (base32) and its otpauth:// URI for the app, and ten one-time recovery codes' });

const status = createRoute({
  method: 'get',
  path: '/',
  tags: ['auth'],
  summary: 'Whether two-factor login is on for you, and how many recovery codes are left',
  responses: { 200: { description: 'Status', content: { 'application/json': { schema: z.object({ enabled: z.boolean(), pending: z.boolean(), recoveryCodesLeft: z.number().int() }) } } } },
});

const enroll = createRoute({
  method: 'post',
  path: '/enroll',
  tags: ['auth'],
  summary: 'Start enrolling an authenticator app (with a Bearer token, or an enrolment token)',
  request: { body: json(z.object({ enrolmentToken }).strict()) },
  responses: { 200: { description: 'The secret and recovery codes, shown once', content: { 'application/json': { schema: Enrolment } } }, 401: problem('No session and no valid enrolment token'), 409: problem('Already enrolled') },
});

const confirm = createRoute({
  method: 'post',
  path: '/confirm',
  tags: ['auth'],
  summary: 'Turn two-factor login on with a first code; with an enrolment token this also logs in',
  request: { body: json(z.object({ otp: Otp, enrolmentToken }).strict()) },
  responses: {
    200: { description: 'On; `tokens` is the new session when confirmed with an enrolment token', content: { 'application/json': { schema: z.object({ enabled: z.literal(true), tokens: TokenPair.nullable() }) } } },
    401: problem('Wrong code (counted like a failed login)'),
    409: problem('Nothing pending, or already on'),
    423: problem('Locked out after too many wrong codes'),
  },
});

const reset = createRoute({
  method: 'delete',
  path: '/',
  tags: ['auth'],
  summary: 'Turn your two-factor login off, proving it with a code or a recovery code (an admin must enrol again at the next login)',
  request: { body: json(z.object({ otp: Otp.optional(), recoveryCode: z.string().min(1).max(64).optional() }).strict()) },
  responses: { 204: { description: 'Off' }, 401: problem('Wrong or missing code (counted like a failed login)'), 409: problem('Two-factor login is not on'), 423: problem('Locked out after too many wrong codes') },
});

const adminReset = createRoute({
  method: 'delete',
  path: '/{id}/2fa',
  tags: ['users'],
  summary: "Reset another user's two-factor login (a lost phone): ends their sessions; they enrol again",
  request: { params: z.object({ id: z.string().uuid() }) },
  responses: { 200: { description: 'Reset', content: { 'application/json': { schema: z.object({ reset: z.boolean(), sessionsEnded: z.number().int() }) } } }, 404: problem('No such user'), 422: problem('Your own: use DELETE /auth/2fa with a code') },
});

type Deps = Pick<AppDeps, 'sql' | 'config' | 'audit' | 'sessions'>;
const factsOf = (c: Context<AppEnv>): RequestFacts => ({ clientIp: c.get('clientIp'), userAgent: c.req.header('user-agent'), requestId: c.get('requestId') });

export function secondFactorRoutes(deps: Deps) {
  const { sql, config, audit } = deps;
  /** Who is enrolling: the session's user, or the enrolment token's (never both needed). */
  const enrollee = async (c: Context<AppEnv>, token: string | undefined): Promise<{ user: UserRow; viaToken: boolean }> => {
    const principal = c.get('principal');
    const userId = principal?.kind === 'user' ? principal.id : token ? await verifyEnrolmentToken(tokenSettings(config.security), token) : undefined;
    if (!userId) throw new AuthenticationError('Log in first, or send the enrolment token the login answered with');
    const user = await userById(sql, userId);
    if (!user || user.disabled) throw new AuthenticationError('The user is unknown or disabled');
    return { user, viaToken: !principal };
  };
  const self = async (c: Context<AppEnv>) => {
    const principal = principalOf(c);
    const user = principal.kind === 'user' ? await userById(sql, principal.id) : undefined;
    if (!user) throw new AuthenticationError('Only a user has a second factor');
    return user;
  };

  return new OpenAPIHono<AppEnv>({ defaultHook: validationHook })
    .openapi(status, async (c) => {
      const user = await self(c);
      const totp = await totpOf(sql, user.id);
      const left = totp?.confirmedAt ? (await unusedRecoveryCodes(sql, user.id)).length : 0;
      return c.json({ enabled: Boolean(totp?.confirmedAt), pending: Boolean(totp && !totp.confirmedAt), recoveryCodesLeft: left }, 200);
    })
    .openapi(enroll, async (c) => {
      const { user } = await enrollee(c, c.req.valid('json').enrolmentToken);
      return c.json(await startEnrolment(sql, config.security, audit, user, { type: 'user', id: user.username }, factsOf(c)), 200);
    })
    .openapi(confirm, async (c) => {
      const body = c.req.valid('json');
      const { user, viaToken } = await enrollee(c, body.enrolmentToken);
      await confirmEnrolment(sql, config.security, audit, user, body.otp, { type: 'user', id: user.username }, factsOf(c));
      const tokens = viaToken ? await startSession(sql, config.security, audit, user, factsOf(c), 'totp') : null;
      return c.json({ enabled: true as const, tokens }, 200);
    })
    .openapi(reset, async (c) => {
      const user = await self(c);
      if (!(await hasSecondFactor(sql, user.id))) throw new ConflictError('second-factor-off', 'Two-factor login is not on for you');
      await checkSecondFactor(sql, config.security, audit, user, c.req.valid('json'), factsOf(c), 'second factor reset');
      await resetSecondFactor(sql, audit, user, actorOf(principalOf(c)), factsOf(c), 'self');
      return c.body(null, 204);
    });
}

/** Mounted at /users: an admin resets another user's second factor. */
export function userSecondFactorRoutes(deps: Deps) {
  const { sql, audit } = deps;
  return new OpenAPIHono<AppEnv>({ defaultHook: validationHook }).openapi(adminReset, async (c) => {
    const principal = principalOf(c);
    const { id } = c.req.valid('param');
    const user = await userById(sql, id);
    if (!user || user.accountId !== principal.accountId) throw new NotFoundError(`user ${id}`);
    if (principal.kind === 'user' && principal.id === user.id) throw new BusinessRuleError('own-second-factor', 'Reset your own second factor with DELETE /auth/2fa and a code');
    const wasOn = await resetSecondFactor(sql, audit, user, actorOf(principal), factsOf(c), 'admin');
    // Whoever holds the lost device may hold a session too.
    const ended = await endSessions(sql, audit, { userId: user.id }, 'second factor reset', actorOf(principal), factsOf(c));
    ended.forEach((s) => deps.sessions.forget(s));
    return c.json({ reset: wasOn, sessionsEnded: ended.length }, 200);
  });
}
