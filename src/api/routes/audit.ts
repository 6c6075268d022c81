/**
 * The audit trail over HTTP, mounted at /audit: query it (admin) and verify the chain against the
 * external anchors (admin). One trade's timeline is a trade route (./trades.ts).
 *
 * @module
 */
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import { anchorsFile, readAnchors } from '../../audit/anchor.ts';
import { AUDIT_EVENT_TYPES } from '../../audit/events.ts';
import { listAudit } from '../../audit/queries.ts';
import { verifyChain } from '../../audit/verify.ts';
import { auditAnchorKey } from '../../config.ts';
import { type AppEnv, principalOf } from '../context.ts';
import type { AppDeps } from '../deps.ts';
import { AuditRecord } from '../schemas/audit.ts';
import { validationHook } from '../validation.ts';

const query = createRoute({
  method: 'get',
  path: '/',
  tags: ['audit'],
  summary: 'Audit records, newest first (keyset pagination by sequence number)',
  request: {
    query: z.object({
      type: z.string().max(500).optional().openapi({ description: 'Event type, or several separated by commas' }),
      severity: z.enum(['LOW', 'MEDIUM', 'HIGH', 'CRITICAL']).optional(),
      actor: z.string().max(100).optional(),
      trade: z.string().max(64).optional(),
      from: z.string().datetime({ offset: true }).optional(),
      to: z.string().datetime({ offset: true }).optional(),
      cursor: z.coerce.number().int().positive().optional().openapi({ description: 'nextCursor of the previous page' }),
      limit: z.coerce.number().int().min(1).max(500).default(100),
    }),
  },
  responses: { 200: { description: 'A page of records', content: { 'application/json': { schema: z.object({ records: z.array(AuditRecord), nextCursor: z.number().nullable() }) } } } },
});

const verify = createRoute({
  method: 'get',
  path: '/verify',
  tags: ['audit'],
  summary: 'Walk the hash chain (from the last archive) and check it against the external anchors',
  responses: { 200: { description: '{ ok, records, firstBadRecord? }', content: { 'application/json': { schema: z.record(z.string(), z.unknown()) } } } },
});

export function auditRoutes({ sql, config }: Pick<AppDeps, 'sql' | 'config'>) {
  return new OpenAPIHono<AppEnv>({ defaultHook: validationHook })
    .openapi(query, async (c) => {
      const q = c.req.valid('query');
      const types = q.type?.split(',').map((t) => t.trim().toUpperCase()).filter((t) => (AUDIT_EVENT_TYPES as string[]).includes(t));
      const records = await listAudit(sql, {
        accountId: principalOf(c).accountId,
        types: q.type ? (types?.length ? types : ['NO_SUCH_TYPE']) : undefined,
        severity: q.severity,
        actorId: q.actor,
        tradeId: q.trade,
        from: q.from ? new Date(q.from) : undefined,
        to: q.to ? new Date(q.to) : undefined,
        beforeSeq: q.cursor,
        limit: q.limit + 1,
      });
      const page = records.slice(0, q.limit);
      return c.json({ records: page, nextCursor: records.length > q.limit ? page[page.length - 1]!.seq : null }, 200);
    })
    .openapi(verify, async (c) => {
      const { anchors, invalidLines } = await readAnchors(anchorsFile(config.dataDir), auditAnchorKey(config.security));
      const result = await verifyChain(sql, { anchors });
      const anchorProblem = invalidLines.length ? { anchorFileInvalidLines: invalidLines } : {};
      return c.json({ ...result, ok: result.ok && invalidLines.length === 0, ...anchorProblem }, 200);
    });
}
