/**
 * What the API needs besides the request: its pools, the audit writer, the session checker, the
 * rate limiter, the block list, and the operator desks of the broker in use. The same wiring
 * serves `api.ts` and the tests. The API builds no broker: the paper exchange and Breeze are
 * reached only through their desks (./breeze-desk.ts, src/broker/paper/desk.ts).
 *
 * @module
 */
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { type AuditLog, createAuditLog } from '../audit/append.ts';
import { createAuditFileCopy } from '../audit/file-copy.ts';
import { createBrokerRateLimiter } from '../broker/breeze/create.ts';
import { type PaperDesk, paperDesk } from '../broker/paper/desk.ts';
import type { Config } from '../config.ts';
import type { Logger } from '../config/logger.ts';
import type { Sql } from '../db/pool.ts';
import { createMetrics, type Metrics } from '../observability/metrics.ts';
import { startProcessMonitoring } from '../observability/process-monitoring.ts';
import { readSnapshot } from '../observability/snapshot.ts';
import { registerTradingMetrics, type TradingCollector } from '../observability/trading-collector.ts';
import { createRateLimiter, type RateLimiter } from '../security/rate-limit.ts';
import { createSessionChecker, type SessionChecker } from '../security/session-check.ts';
import { type BreezeDesk, breezeDesk } from './breeze-desk.ts';
import { type BlockList, blockList } from './middleware/ip-block.ts';

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

export async function createApiDeps(config: Config, log: Logger, sql: Sql, temporal: Client): Promise<AppDeps & { close(): Promise<void> }> {
  const sessions = await createSessionChecker(sql, config.SESSION_IDLE_TIMEOUT_S, log);
  const rateLimiter = createRateLimiter(config, sql);
  const metrics = createMetrics('api');
  const monitoring = registerTradingMetrics(metrics.registry, () => readSnapshot({ sql, config, temporal }), log);
  const heartbeat = startProcessMonitoring({ sql, config, log, kind: 'api', metrics });
  const blocks = await blockList(sql);
  const audit = createAuditLog({ fileCopy: createAuditFileCopy(path.join(config.dataDir, 'audit'), log, metrics.registry) });
  // One budget for the operator's login call and the status view; it is the workers' shared one.
  const limiter = config.BROKER === 'breeze' ? createBrokerRateLimiter(config, sql) : undefined;
  return {
    config,
    log,
    sql,
    temporal,
    metrics,
    monitoring,
    audit,
    sessions,
    rateLimiter,
    blockList: blocks,
    paper: config.BROKER === 'paper' ? paperDesk({ sql, marketHours: config.MARKET_HOURS, slippageBps: config.PAPER_SLIPPAGE_BPS }) : undefined,
    breeze: limiter && breezeDesk({ config, sql, audit, limiter }),
    async close() {
      await heartbeat.stop();
      await sessions.close();
      await rateLimiter.close();
      await blocks.close();
      await limiter?.close();
    },
  };
}
