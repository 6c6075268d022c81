/**
 * The API process's wiring: pools, audit writer, session checker, rate limiter, block list,
 * monitoring, and the operator desk of the broker in use. The same wiring serves `api.ts`, the
 * tests and the benchmarks. It sits above the API (an entry), so that the API itself only sees
 * the desks' interfaces.
 *
 * @module
 */
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { createAuditLog } from '../audit/append.ts';
import { createAuditFileCopy } from '../audit/file-copy.ts';
import { createBrokerRateLimiter } from '../broker/breeze/create.ts';
import { paperDesk } from '../broker/paper/desk.ts';
import type { Config } from '../config.ts';
import type { Logger } from '../config/logger.ts';
import type { Sql } from '../db/pool.ts';
import { createMetrics } from '../observability/metrics.ts';
import { startProcessMonitoring } from '../observability/process-monitoring.ts';
import { readSnapshot } from '../observability/snapshot.ts';
import { registerTradingMetrics } from '../observability/trading-collector.ts';
import { createRateLimiter } from '../security/rate-limit.ts';
import { createSessionChecker } from '../security/session-check.ts';
import { breezeDesk } from '../broker/breeze/desk.ts';
import type { AppDeps } from '../api/deps.ts';
import { blockList } from '../api/middleware/ip-block.ts';

export async function createApiDeps(config: Config, log: Logger, sql: Sql, temporal: Client): Promise<AppDeps & { close(): Promise<void> }> {
  const sessions = await createSessionChecker(sql, config.security.SESSION_IDLE_TIMEOUT_S, log);
  const rateLimiter = createRateLimiter(config, sql);
  const metrics = createMetrics('api');
  const monitoring = registerTradingMetrics(metrics.registry, () => readSnapshot({ sql, config, temporal }), log);
  const heartbeat = startProcessMonitoring({ sql, config, log, kind: 'api', metrics });
  const blocks = await blockList(sql);
  const audit = createAuditLog({ log, fileCopy: createAuditFileCopy(path.join(config.dataDir, 'audit'), log, metrics.registry) });
  // One budget for the operator's login call and the status view; it is the workers' shared one.
  const limiter = config.broker.BROKER === 'breeze' ? createBrokerRateLimiter(config, sql) : undefined;
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
    paper: config.broker.BROKER === 'paper' ? paperDesk({ sql, marketHours: config.market.MARKET_HOURS, slippageBps: config.paper.PAPER_SLIPPAGE_BPS }) : undefined,
    breeze: limiter && breezeDesk({ config, sql, audit, limiter }),
    async close() {
      await heartbeat.stop();
      await sessions.close();
      await rateLimiter.close();
      await blocks.close();
      await limiter?.close();
      await audit.settled();
    },
  };
}
