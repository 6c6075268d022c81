/** The Temporal worker process. */
import { z } from 'zod';
import { bool, int, list } from '../schema.ts';

export const workerSettings = z.object({
  WORKFLOW_BUNDLE_PATH: z.string().optional().describe('Prebuilt workflow bundle (npm run build:workflows); unset: bundled at worker start'),
  WORKER_MAX_CONCURRENT_ACTIVITIES: int(1).default(100).describe("Activity slots per worker: entries and exits in flight take one or two, each account's daily-loss guard one; a held position takes none (the exit book watches it) except a trailing stop's watch and, on Breeze, the watch on its resting orders"),
  WORKER_MAX_CONCURRENT_WORKFLOW_TASKS: int(2).default(40).describe('Workflow task slots per worker'),
  WORKER_MAX_CACHED_WORKFLOWS: int(0).default(1000).describe("Workflows kept in the worker cache: a held trade that is not cached replays its history when the exit book signals it or its window ends; fewer bounds the worker's memory"),
  WORKER_WORKFLOW_STACK_TRACES: bool.default(false).describe("Answer Temporal's stack-trace query (the UI's Stack Trace tab) for this worker's workflows: the SDK then records a source-mapped stack for every promise a workflow makes, about a quarter of the workflow thread's busy time in the trading bench (docs/temporal-notes.md#workflow-stack-traces); turn on, and restart the worker, to see where a stuck workflow waits"),
  WORKER_SHUTDOWN_GRACE_S: int(0).default(10).describe('Seconds a stopping worker lets running activities finish'),
  FAILPOINTS: list.default([]).describe('Test only: failpoints where the worker kills itself (crash tests)'),
}).describe('The Temporal worker process');
export type WorkerSettings = z.infer<typeof workerSettings>;
