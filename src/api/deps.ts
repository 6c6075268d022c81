/**
 * What the API needs besides the request: its pools, the audit writer, the session checker, the
 * rate limiter, the block list, and the operator desks of the broker in use. The API builds no
 * broker and calls none: the paper exchange and Breeze are reached only through the desks that
 * src/api-process/create-api-deps.ts hands in (src/broker/paper/desk.ts, src/broker/breeze/desk.ts).
 *
 * @module
 */
import type { Client } from '@temporalio/client';
import type { AuditLog } from '../audit/append.ts';
import type { BreezeDesk } from '../broker/breeze/desk.ts';
import type { PaperDesk } from '../broker/paper/desk.ts';
import type { Config } from '../config.ts';
import type { Logger } from '../config/logger.ts';
import type { Sql } from '../db/pool.ts';
import type { Metrics } from '../observability/metrics.ts';
import type { TradingCollector } from '../observability/trading-collector.ts';
import type { RateLimiter } from '../security/rate-limit.ts';
import type { SessionChecker } from '../security/session-check.ts';
import type { BlockList } from './middleware/ip-block.ts';

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
  /** The paper exchange's operator desk, when it is the broker (quotes and the orders it received). */
  paper?: PaperDesk | undefined;
  /** Breeze's operator desk, when it is the broker: the day's session and the shared call budget. */
  breeze?: BreezeDesk | undefined;
}

