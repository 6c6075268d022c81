/**
 * Reconciliation, for operators (admin): the mismatches found between the broker's book and ours
 * (each locks new entries in its instrument while unresolved), resolving one with a note, and a
 * round run now.
 *
 * @module
 */
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import { listMismatches, lockedInstruments, lockMismatch, markResolved, type MismatchRow } from '../../db/reconciliation.ts';
import { transaction } from '../../db/transaction.ts';
import { ConflictError, NotFoundError } from '../../domain/errors.ts';
import { actorOf } from '../../security/principal.ts';
import { runReconciliationNow } from '../../temporal/reconciliation-schedule.ts';
import { type AppEnv, principalOf, requestFacts } from '../context.ts';
import type { AppDeps } from '../deps.ts';
import { fromTemporalError } from '../temporal-errors.ts';
import { validationHook } from '../validation.ts';
import { jsonObject, problem } from '../schemas/common.ts';


const list = createRoute({
  method: 'get',
  path: '/mismatches',
  tags: ['reconciliation'],
  summary: 'Mismatches between the broker and our book, newest first (open ones lock entries in their instrument)',
  request: { query: z.object({ status: z.enum(['open', 'resolved', 'all']).default('open'), limit: z.coerce.number().int().min(1).max(500).default(100) }) },
  responses: { 200: jsonObject('Mismatches and the locked instruments') },
});

const MismatchId = z.object({ id: z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER).openapi({ param: { name: 'id', in: 'path' } }) });
const resolve = createRoute({
  method: 'post',
  path: '/mismatches/{id}/resolve',
  tags: ['reconciliation'],
  summary: 'Resolve a mismatch with a note: its instrument unlocks, and the same difference is accepted while it lasts',
  request: {
    params: MismatchId,
    body: { content: { 'application/json': { schema: z.object({ note: z.string().trim().min(3).max(1000) }).strict().openapi('ResolveMismatchRequest') } }, required: true },
  },
  responses: { 200: jsonObject('Resolved'), 404: problem('No such mismatch'), 409: problem('Already resolved') },
});

const run = createRoute({
  method: 'post',
  path: '/run',
  tags: ['reconciliation'],
  summary: "Reconcile the caller's account now",
  responses: { 200: jsonObject('The round, with what it found'), 202: jsonObject('Still running after RECONCILIATION_RUN_WAIT_MS: the run id') },
});

const iso = (d: Date | null) => d?.toISOString() ?? null;
const view = (m: MismatchRow) => ({
  id: m.id,
  kind: m.kind,
  status: m.resolvedAt ? 'RESOLVED' : 'OPEN',
  symbol: m.instrument.symbol,
  exchange: m.instrument.exchange,
  product: m.instrument.product,
  instrumentKey: m.instrumentKey,
  ours: m.ours,
  theirs: m.theirs,
  ref: m.ref || null,
  details: m.details,
  detectedAt: m.detectedAt.toISOString(),
  lastSeenAt: m.lastSeenAt.toISOString(),
  clearedAt: iso(m.clearedAt),
  resolvedAt: iso(m.resolvedAt),
  resolvedBy: m.resolvedBy,
  resolutionNote: m.resolutionNote,
});

export function reconciliationRoutes(deps: Pick<AppDeps, 'sql' | 'config' | 'temporal' | 'audit'>) {
  const { sql, config, temporal } = deps;
  return new OpenAPIHono<AppEnv>({ defaultHook: validationHook })
    .openapi(list, async (c) => {
      const accountId = principalOf(c).accountId;
      const q = c.req.valid('query');
      const rows = await listMismatches(sql, accountId, q.status, q.limit);
      return c.json({ mismatches: rows.map(view), lockedInstruments: await lockedInstruments(sql, accountId) }, 200);
    })
    .openapi(resolve, async (c) => {
      const principal = principalOf(c);
      const actor = actorOf(principal);
      const { id } = c.req.valid('param');
      const { note } = c.req.valid('json');
      const { requestId, clientIp } = requestFacts(c);
      const resolved = await transaction(sql, async (tx) => {
        const open = await lockMismatch(tx, principal.accountId, id);
        if (!open) throw new NotFoundError(`mismatch ${id}`);
        if (open.resolvedAt) throw new ConflictError('mismatch-resolved', `Mismatch ${id} was already resolved by ${open.resolvedBy ?? 'someone'}`);
        const row = await markResolved(tx, id, `${actor.type}:${actor.id}`, note);
        await deps.audit.append(tx, {
          type: 'RECONCILIATION_RESOLVED',
          actor,
          accountId: principal.accountId,
          requestId,
          clientIp,
          payload: { mismatchId: id, kind: row.kind, instrument: row.instrument, instrumentKey: row.instrumentKey, ours: row.ours, theirs: row.theirs, ref: row.ref || undefined, note },
        });
        return row;
      });
      return c.json({ mismatch: view(resolved), lockedInstruments: await lockedInstruments(sql, principal.accountId) }, 200);
    })
    .openapi(run, async (c) => {
      const principal = principalOf(c);
      try {
        const outcome = await runReconciliationNow(temporal, config, principal.accountId, actorOf(principal), config.reconciliation.RECONCILIATION_RUN_WAIT_MS);
        if (!outcome.done) return c.json({ workflowId: outcome.workflowId, status: 'RUNNING' }, 202);
        const account = outcome.summary.accounts.find((a) => a.accountId === principal.accountId);
        return c.json({ workflowId: outcome.workflowId, status: 'COMPLETED', ...account }, 200);
      } catch (err) {
        throw fromTemporalError(err, 'the reconciliation workflow');
      }
    });
}
