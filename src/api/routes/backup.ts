/**
 * Backups: their state (GET /backup/status) and a run on demand (POST /backup/run). Admin only:
 * backups hold every trade and the audit trail.
 *
 * @module
 */
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import { backupStatus } from '../../temporal/backup-status.ts';
import { BACKUP_KINDS } from '../../domain/backups.ts';
import { actorOf } from '../../security/principal.ts';
import { startBackupNow } from '../../temporal/backups.ts';
import { type AppEnv, principalOf } from '../context.ts';
import type { AppDeps } from '../deps.ts';
import { fromTemporalError } from '../temporal-errors.ts';
import { validationHook } from '../validation.ts';
import { problem } from '../schemas/common.ts';


const BackupStatus = z
  .object({
    generatedAt: z.string(),
    stale: z.boolean().openapi({ description: 'True when any scheduled kind has no verified backup within its allowed age' }),
    kinds: z.array(z.record(z.string(), z.unknown())),
  })
  .openapi('BackupStatus');

const RunBody = z.object({ kind: z.enum(BACKUP_KINDS).default('manual') }).openapi('BackupRunRequest');
const RunAccepted = z.object({ workflowId: z.string(), runId: z.string(), kind: z.enum(BACKUP_KINDS) }).openapi('BackupRunAccepted');

const status = createRoute({
  method: 'get',
  path: '/status',
  tags: ['backup'],
  summary: 'Last backups per kind, schedules, next runs, failures and staleness',
  responses: {
    200: { description: 'Backup status', content: { 'application/json': { schema: BackupStatus } } },
    403: problem('Needs the admin scope'),
  },
});

const run = createRoute({
  method: 'post',
  path: '/run',
  tags: ['backup'],
  summary: 'Start a backup now (create, verify, retention)',
  request: { body: { content: { 'application/json': { schema: RunBody } }, required: true } },
  responses: {
    202: { description: 'Started (or joined the run of this kind already going)', content: { 'application/json': { schema: RunAccepted } } },
    403: problem('Needs the admin scope'),
  },
});

export function backupRoutes(deps: Pick<AppDeps, 'config' | 'sql' | 'temporal'>) {
  const { config, sql, temporal } = deps;
  const app = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
  return app
    .openapi(status, async (c) => c.json(await backupStatus(sql, temporal, config), 200))
    .openapi(run, async (c) => {
      const { kind } = c.req.valid('json');
      try {
        const started = await startBackupNow(temporal, config, kind, actorOf(principalOf(c)));
        return c.json({ ...started, kind }, 202);
      } catch (err) {
        throw fromTemporalError(err, 'the backup workflow');
      }
    });
}
