/**
 * What every route gets: the process's dependencies, and the per-request variables set by
 * middleware.
 *
 * @module
 */
import type { Client } from '@temporalio/client';
import type { Context } from 'hono';
import type { Config } from '../config.ts';
import type { Sql } from '../db/pool.ts';
import { AuthenticationError } from '../domain/errors.ts';
import type { Logger } from '../config/logger.ts';
import type { Metrics } from '../observability/metrics.ts';
import type { TradingCollector } from '../observability/trading-collector.ts';
import type { Principal } from '../security/principal.ts';
import type { RateLimiter } from '../security/rate-limit.ts';
import type { SessionChecker } from '../security/session-check.ts';
import type { AuditLog } from '../audit/append.ts';
import type { BlockList } from './middleware/ip-block.ts';
import type { PaperExchange } from '../broker/paper/exchange.ts';
import type { BreezeClient } from '../broker/breeze/client.ts';
import type { LoginOptions } from '../broker/breeze/session.ts';

export interface AppDeps {
  config: Config;
  log: Logger;
  sql: Sql;
  temporal: Client;
  metrics: Metrics;
  /** The monitoring snapshot behind the trading gauges and GET /monitoring/metrics (cached briefly). */
  monitoring: TradingCollector;
  audit: AuditLog;
  sessions: SessionChecker;
  rateLimiter: RateLimiter;
  blockList: BlockList;
  /** The paper exchange, when it is the broker (its quote and order-book controls). */
  paper?: PaperExchange | undefined;
  /** Breeze, when it is the broker: the operator's session login and the shared call budget. */
  breeze?: { client: BreezeClient; login: LoginOptions } | undefined;
}

export interface AppEnv {
  Variables: {
    requestId: string;
    /** The client's address, believed from X-Forwarded-For only behind a trusted proxy. */
    clientIp: string;
    principal?: Principal;
  };
}

/** The authenticated caller; routes behind the auth middleware always have one. */
export function principalOf(c: Context<AppEnv>): Principal {
  const principal = c.get('principal');
  if (!principal) throw new AuthenticationError();
  return principal;
}

/** Request facts that travel into workflows and audit records. */
export function requestFacts(c: Context<AppEnv>): { requestId: string; clientIp: string | undefined } {
  return { requestId: c.get('requestId'), clientIp: c.get('clientIp') };
}
