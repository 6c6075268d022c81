/**
 * API keys for algos and webhooks (admin): scoped, optionally bound to CIDRs (SEBI expects static
 * IPs for API order flow), shown once at creation, revocable.
 *
 * @module
 */
import { randomBytes } from 'node:crypto';
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import { type ApiKeyRow, apiKeyById, insertApiKey, listApiKeys, revokeApiKey } from '../../db/api-keys.ts';
import { transaction } from '../../db/transaction.ts';
import { userById } from '../../db/users.ts';
import { NotFoundError, ValidationError } from '../../domain/errors.ts';
import { generateApiKey } from '../../security/api-keys.ts';
import { cidrSet } from '../../security/ip.ts';
import { ROLE_SCOPES, SCOPES } from '../../domain/roles.ts';
import { actorOf } from '../../security/principal.ts';
import { type AppEnv, principalOf, requestFacts } from '../context.ts';
import type { AppDeps } from '../deps.ts';
import { validationHook } from '../validation.ts';

const ApiKey = z
  .object({
    id: z.string(),
    name: z.string(),
    prefix: z.string(),
    userId: z.string(),
    scopes: z.array(z.enum(SCOPES)),
    cidrs: z.array(z.string()),
    webhookSigning: z.boolean(),
    createdAt: z.string(),
    revokedAt: z.string().nullable(),
    lastUsedAt: z.string().nullable(),
    lastUsedIp: z.string().nullable(),
  })
  .openapi('ApiKey');

const view = (k: ApiKeyRow) => ({
  id: k.id,
  name: k.name,
  prefix: k.prefix,
  userId: k.userId,
  scopes: k.scopes,
  cidrs: k.cidrs,
  webhookSigning: k.webhookSecret !== null,
  createdAt: k.createdAt.toISOString(),
  revokedAt: k.revokedAt?.toISOString() ?? null,
  lastUsedAt: k.lastUsedAt?.toISOString() ?? null,
  lastUsedIp: k.lastUsedIp,
});

const list = createRoute({ method: 'get', path: '/', tags: ['api-keys'], summary: 'API keys of the account', responses: { 200: { description: 'Keys (never the secrets)', content: { 'application/json': { schema: z.object({ apiKeys: z.array(ApiKey) }) } } } } });

const create = createRoute({
  method: 'post',
  path: '/',
  tags: ['api-keys'],
  summary: 'Create an API key (the key and its webhook secret are shown once)',
  request: {
    body: {
      content: {
        'application/json': {
          schema: z
            .object({
              name: z.string().min(1).max(64),
              userId: z.string().uuid().openapi({ description: 'The user the key acts for (its role caps the scopes)' }),
              scopes: z.array(z.enum(SCOPES)).min(1),
              cidrs: z.array(z.string().max(64)).max(16).default([]),
              webhookSigning: z.boolean().default(false).openapi({ description: 'Also issue a secret to sign webhooks with' }),
            })
            .strict(),
        },
      },
      required: true,
    },
  },
  responses: { 201: { description: 'Created', content: { 'application/json': { schema: ApiKey.extend({ key: z.string(), webhookSecret: z.string().nullable() }) } } } },
});

const revoke = createRoute({
  method: 'delete',
  path: '/{id}',
  tags: ['api-keys'],
  summary: 'Revoke an API key',
  request: { params: z.object({ id: z.string().uuid().openapi({ param: { name: 'id', in: 'path' } }) }) },
  responses: { 200: { description: 'Revoked', content: { 'application/json': { schema: ApiKey } } } },
});

export function apiKeyRoutes({ sql, audit }: Pick<AppDeps, 'sql' | 'audit'>) {
  return new OpenAPIHono<AppEnv>({ defaultHook: validationHook })
    .openapi(list, async (c) => c.json({ apiKeys: (await listApiKeys(sql, principalOf(c).accountId)).map(view) }, 200))
    .openapi(create, async (c) => {
      const principal = principalOf(c);
      const body = c.req.valid('json');
      const user = await userById(sql, body.userId);
      if (!user || user.accountId !== principal.accountId) throw new NotFoundError(`user ${body.userId}`);
      const beyond = body.scopes.filter((s) => !ROLE_SCOPES[user.role].includes(s));
      if (beyond.length) throw new ValidationError(`A ${user.role} cannot hold ${beyond.join(', ')}`, [{ location: 'body', pointer: '/scopes', detail: `beyond the ${user.role} role` }]);
      try {
        cidrSet(body.cidrs);
      } catch (err) {
        throw new ValidationError('Not a CIDR list', [{ location: 'body', pointer: '/cidrs', detail: (err as Error).message }]);
      }
      const generated = generateApiKey();
      const webhookSecret = body.webhookSigning ? `whsec_${randomBytes(32).toString('base64url')}` : null;
      const id = await transaction(sql, async (tx) => {
        const keyId = await insertApiKey(tx, { prefix: generated.prefix, keyHash: generated.hash, name: body.name, userId: user.id, scopes: body.scopes, cidrs: body.cidrs, webhookSecret, createdBy: actorOf(principal).id });
        await audit.append(tx, {
          type: 'API_KEY_CREATED',
          actor: actorOf(principal),
          accountId: principal.accountId,
          ...requestFacts(c),
          payload: { keyId, name: body.name, user: user.username, scopes: body.scopes, cidrs: body.cidrs, webhookSigning: body.webhookSigning },
        });
        return keyId;
      });
      const row = (await apiKeyById(sql, id))!;
      return c.json({ ...view(row), key: generated.key, webhookSecret }, 201);
    })
    .openapi(revoke, async (c) => {
      const principal = principalOf(c);
      const { id } = c.req.valid('param');
      const key = await apiKeyById(sql, id);
      if (!key || key.accountId !== principal.accountId) throw new NotFoundError(`API key ${id}`);
      await transaction(sql, async (tx) => {
        if (await revokeApiKey(tx, id)) {
          await audit.append(tx, { type: 'API_KEY_REVOKED', actor: actorOf(principal), accountId: principal.accountId, ...requestFacts(c), payload: { keyId: id, name: key.name } });
        }
      });
      return c.json(view((await apiKeyById(sql, id))!), 200);
    });
}
