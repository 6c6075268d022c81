/** PostgreSQL: URLs, the pool, start-up. */
import { z } from 'zod';
import { int } from '../schema.ts';

export const databaseSettings = z.object({
  DATABASE_URL: z.string().optional().describe('PostgreSQL URL used at run time; unset: the launcher starts embedded Postgres'),
  DATABASE_ADMIN_URL: z.string().optional().describe('PostgreSQL URL of the schema owner, used for migrations (defaults to DATABASE_URL)'),
  DB_POOL_MAX: int(1).default(10).describe('Connections per process in the PostgreSQL pool'),
  DB_IDLE_TIMEOUT_S: int(0).default(30).describe('Seconds before an idle pooled connection is closed'),
  DB_CONNECT_TIMEOUT_S: int(1).default(10).describe('Seconds to wait for one connection attempt'),
  DB_STATEMENT_TIMEOUT_MS: int(0).default(15000).describe('Statement timeout of every pooled connection (0 = none)'),
  DB_STARTUP_WAIT_S: int(0).default(30).describe('Seconds a process keeps retrying PostgreSQL at start-up before it gives up'),
}).describe('PostgreSQL: URLs, the pool, start-up');
export type DatabaseSettings = z.infer<typeof databaseSettings>;
