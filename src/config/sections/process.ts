/** Process: mode, data directory, logging. */
import { z } from 'zod';

export const processSettings = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development').describe('Runtime mode; production refuses development defaults'),
  HOST: z.string().default('127.0.0.1').describe('Interface the API and the worker metrics listener bind to (0.0.0.0 in containers)'),
  DATA_DIR: z.string().default('./data').describe('Directory for embedded Postgres, the Temporal dev database, audit files and backups (with PORT_OFFSET set: ./data-<offset>); one launcher at a time'),
  LOG_LEVEL: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info').describe('Minimum log level'),
  LOG_FORMAT: z.enum(['auto', 'json', 'pretty']).default('auto').describe('Log output: json, pretty, or auto (pretty in development, json otherwise)'),
}).describe('Process: mode, data directory, logging');
export type ProcessSettings = z.infer<typeof processSettings>;
