/** The Temporal worker process. */
import { z } from 'zod';
import { int, list } from '../schema.ts';

export const workerSettings = z.object({
  WORKFLOW_BUNDLE_PATH: z.string().optional().describe('Prebuilt workflow bundle (npm run build:workflows); unset: bundled at worker start'),
  WORKER_MAX_CONCURRENT_ACTIVITIES: int(1).default(100).describe('Activity slots per worker: every held position keeps one or two watches running (price, and its orders resting at the broker), so at least twice the positions it holds plus room for entries'),
  WORKER_MAX_CONCURRENT_WORKFLOW_TASKS: int(2).default(40).describe('Workflow task slots per worker'),
  WORKER_MAX_CACHED_WORKFLOWS: int(0).default(1000).describe('Workflows kept in the worker cache: at least the trades held open, or each watch window replays a trade from its history'),
  WORKER_SHUTDOWN_GRACE_S: int(0).default(10).describe('Seconds a stopping worker lets running activities finish'),
  FAILPOINTS: list.default([]).describe('Test only: failpoints where the worker kills itself (crash tests)'),
}).describe('The Temporal worker process');
export type WorkerSettings = z.infer<typeof workerSettings>;
