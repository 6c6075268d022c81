/** Listening ports of the processes this system starts. */
import { z } from 'zod';
import { int } from '../schema.ts';

export const portSettings = z.object({
  PORT: int(1).default(8000).describe('HTTP port of the API'),
  WORKER_HTTP_PORT: int(0).default(9465).describe('Port of the worker HTTP listener: GET /metrics (the process metrics and the Temporal SDK worker metrics) and GET /health (0 = off)'),
  EMBEDDED_PG_PORT: int(1).default(5433).describe('Port of the embedded PostgreSQL started by the launcher'),
  TEMPORAL_PORT: int(1).default(7233).describe('gRPC port of the dev server started by the launcher'),
  TEMPORAL_UI_PORT: int(1).default(8233).describe('Web UI port of the dev server started by the launcher'),
  BREEZE_EMULATOR_PORT: int(0).default(8790).describe('Port of the Breeze emulator (npm run breeze:emulator)'),
  PORT_OFFSET: int(0).max(50_000).default(0).describe('Added to the default of every port above, for a second copy on the same machine (ports set explicitly are used as given); with an offset, DATA_DIR defaults to ./data-<offset>'),
}).describe('Listening ports of the processes this system starts');
export type PortSettings = z.infer<typeof portSettings>;

/** The settings that name a listening port (all but PORT_OFFSET). */
export const PORT_NAMES = ['PORT', 'WORKER_HTTP_PORT', 'EMBEDDED_PG_PORT', 'TEMPORAL_PORT', 'TEMPORAL_UI_PORT', 'BREEZE_EMULATOR_PORT'] as const;
export type PortName = (typeof PORT_NAMES)[number];
