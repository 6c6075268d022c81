/**
 * The IP block list (admin): see which addresses are blocked for abuse, and lift a block.
 *
 * @module
 */
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import { liftBlock, listBlocks } from '../../db/ip-blocks.ts';
import { transaction } from '../../db/transaction.ts';
import { NotFoundError } from '../../domain/errors.ts';
import { canonicalAddress } from '../../security/ip.ts';
import { actorOf } from '../../security/principal.ts';
import { type AppEnv, principalOf, requestFacts } from '../context.ts';
import type { AppDeps } from '../deps.ts';
import { validationHook } from '../validation.ts';

const Block = z.object({ ip: z.string(), reason: z.string(), blockedAt: z.string(), expiresAt: z.string(), blockedBy: z.string() }).openapi('IpBlock');

const list = createRoute({ method: 'get', path: '/', tags: ['security'], summary: 'Addresses blocked now', responses: { 200: { description: 'Blocks', content: { 'application/json': { schema: z.object({ blocks: z.array(Block) }) } } } } });
const lift = createRoute({
  method: 'delete',
  path: '/{ip}',
  tags: ['security'],
  summary: 'Lift a block',
  request: { params: z.object({ ip: z.string().max(64).openapi({ param: { name: 'ip', in: 'path' } }) }) },
  responses: { 204: { description: 'Lifted' } },
});

export function ipBlockRoutes(deps: Pick<AppDeps, 'sql' | 'audit' | 'blockList'>) {
  const { sql, audit } = deps;
  return new OpenAPIHono<AppEnv>({ defaultHook: validationHook })
    .openapi(list, async (c) =>
      c.json({ blocks: (await listBlocks(sql)).map((b) => ({ ...b, blockedAt: b.blockedAt.toISOString(), expiresAt: b.expiresAt.toISOString() })) }, 200),
    )
    .openapi(lift, async (c) => {
      const principal = principalOf(c);
      const ip = canonicalAddress(decodeURIComponent(c.req.valid('param').ip));
      if (!ip) throw new NotFoundError('that block');
      const lifted = await transaction(sql, async (tx) => {
        const done = await liftBlock(tx, ip);
        if (done) await audit.append(tx, { type: 'IP_UNBLOCKED', actor: actorOf(principal), accountId: principal.accountId, ...requestFacts(c), payload: { ip } });
        return done;
      });
      if (!lifted) throw new NotFoundError(`a block of ${ip}`);
      deps.blockList.invalidate(ip);
      return c.body(null, 204);
    });
}
