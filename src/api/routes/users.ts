/**
 * User administration (admin): create users, change role or disable, end a user's sessions.
 *
 * @module
 */
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import { transaction } from '../../db/transaction.ts';
import { insertUser, listUsers, lockEnabledAdmins, updateUser, userById, type UserRow } from '../../db/users.ts';
import { BusinessRuleError, ConflictError, NotFoundError, ValidationError } from '../../domain/errors.ts';
import { hashPassword, passwordProblems } from '../../security/passwords.ts';
import { ROLES } from '../../domain/roles.ts';
import { actorOf } from '../../security/principal.ts';
import { endSessions } from '../../security/sessions.ts';
import { type AppEnv, principalOf, requestFacts } from '../context.ts';
import type { AppDeps } from '../deps.ts';
import { validationHook } from '../validation.ts';
import { problem } from '../schemas/common.ts';

const User = z
  .object({ id: z.string(), username: z.string(), role: z.enum(ROLES), accountId: z.string(), disabled: z.boolean(), locked: z.boolean(), createdAt: z.string(), createdBy: z.string() })
  .openapi('User');
const UserId = z.object({ id: z.string().uuid().openapi({ param: { name: 'id', in: 'path' } }) });

const view = (u: UserRow) => ({
  id: u.id,
  username: u.username,
  role: u.role,
  accountId: u.accountId,
  disabled: u.disabled,
  locked: u.lockedUntil !== null && u.lockedUntil.getTime() > Date.now(),
  createdAt: u.createdAt.toISOString(),
  createdBy: u.createdBy,
});

const list = createRoute({ method: 'get', path: '/', tags: ['users'], summary: 'Users of the account', responses: { 200: { description: 'Users', content: { 'application/json': { schema: z.object({ users: z.array(User) }) } } } } });

const create = createRoute({
  method: 'post',
  path: '/',
  tags: ['users'],
  summary: 'Create a user',
  request: {
    body: {
      content: { 'application/json': { schema: z.object({ username: z.string().regex(/^[A-Za-z0-9_.-]{3,64}$/), password: z.string().min(1).max(256), role: z.enum(ROLES) }).strict() } },
      required: true,
    },
  },
  responses: { 201: { description: 'Created', content: { 'application/json': { schema: User } } }, 409: problem('Username taken') },
});

const change = createRoute({
  method: 'patch',
  path: '/{id}',
  tags: ['users'],
  summary: 'Change the role of a user, or disable or enable it (disabling ends its sessions)',
  request: { params: UserId, body: { content: { 'application/json': { schema: z.object({ role: z.enum(ROLES).optional(), disabled: z.boolean().optional() }).strict() } }, required: true } },
  responses: { 200: { description: 'Changed', content: { 'application/json': { schema: User } } }, 404: problem('No such user'), 422: problem('It would leave the account without an enabled admin') },
});

const revoke = createRoute({
  method: 'delete',
  path: '/{id}/sessions',
  tags: ['users'],
  summary: 'End every session of a user, at once',
  request: { params: UserId },
  responses: { 200: { description: 'Sessions ended', content: { 'application/json': { schema: z.object({ revoked: z.number().int() }) } } } },
});

export function userRoutes(deps: Pick<AppDeps, 'sql' | 'config' | 'audit' | 'sessions'>) {
  const { sql, config, audit } = deps;
  const own = async (accountId: string, id: string) => {
    const user = await userById(sql, id);
    if (!user || user.accountId !== accountId) throw new NotFoundError(`user ${id}`);
    return user;
  };

  return new OpenAPIHono<AppEnv>({ defaultHook: validationHook })
    .openapi(list, async (c) => c.json({ users: (await listUsers(sql, principalOf(c).accountId)).map(view) }, 200))
    .openapi(create, async (c) => {
      const principal = principalOf(c);
      const body = c.req.valid('json');
      const problems = passwordProblems(body.password, body.username, config.security.PASSWORD_MIN_LENGTH);
      if (problems.length) throw new ValidationError('The password does not meet the policy', problems);
      const passwordHash = await hashPassword(body.password, config.security.BCRYPT_COST);
      const user = await transaction(sql, async (tx) => {
        const created = await insertUser(tx, { username: body.username, passwordHash, role: body.role, accountId: principal.accountId, createdBy: actorOf(principal).id });
        if (!created) throw new ConflictError('username-taken', `The username ${body.username} is taken`);
        await audit.append(tx, { type: 'USER_CREATED', actor: actorOf(principal), accountId: principal.accountId, ...requestFacts(c), payload: { user: created.username, role: created.role } });
        return created;
      });
      return c.json(view(user), 201);
    })
    .openapi(change, async (c) => {
      const principal = principalOf(c);
      const { id } = c.req.valid('param');
      const body = c.req.valid('json');
      const before = await own(principal.accountId, id);
      await transaction(sql, async (tx) => {
        const admins = await lockEnabledAdmins(tx, principal.accountId);
        const stopsBeingAdmin = admins.includes(id) && (body.disabled === true || (body.role !== undefined && body.role !== 'admin'));
        // Nobody could then manage users, keys, limits or resume trading: the account would need a database hand.
        if (stopsBeingAdmin && admins.length === 1) throw new BusinessRuleError('last-admin', 'This is the last enabled admin of the account: make another admin first');
        await updateUser(tx, id, body);
        await audit.append(tx, {
          type: 'USER_CHANGED',
          actor: actorOf(principal),
          accountId: principal.accountId,
          ...requestFacts(c),
          payload: { user: before.username, old: { role: before.role, disabled: before.disabled }, new: body },
        });
      });
      if (body.disabled || (body.role && body.role !== before.role)) {
        // A disabled user's sessions end (ASVS 5 §7.4.2); a new role takes effect at the next login.
        const ended = await endSessions(sql, audit, { userId: id }, body.disabled ? 'user disabled' : 'role changed', actorOf(principal), requestFacts(c));
        ended.forEach((s) => deps.sessions.forget(s));
      }
      return c.json(view((await userById(sql, id))!), 200);
    })
    .openapi(revoke, async (c) => {
      const principal = principalOf(c);
      const { id } = c.req.valid('param');
      await own(principal.accountId, id);
      const ended = await endSessions(sql, audit, { userId: id }, 'revoked by admin', actorOf(principal), requestFacts(c));
      ended.forEach((s) => deps.sessions.forget(s));
      return c.json({ revoked: ended.length }, 200);
    });
}
