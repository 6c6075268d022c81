/**
 * Builds what the API needs besides its pools: the audit writer, the session checker, the rate
 * limiter and the block list. The same wiring serves `api.ts` and the tests.
 *
 * @module
 */
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { createAuditLog } from '../audit/append.ts';
import { createAuditFileCopy } from '../audit/file-copy.ts';
import type { PaperExchange } from '../broker/paper/exchange.ts';
import { breezeLoginOptions, createBreezeClient, createBrokerRateLimiter } from '../broker/breeze/create.ts';
import { createBroker } from '../broker/create.ts';
import type { Config } from '../config.ts';
import type { Sql } from '../db/pool.ts';
import type { Logger } from '../config/logger.ts';
import { createMetrics } from '../observability/metrics.ts';
import { startProcessMonitoring } from '../observability/process-monitoring.ts';
import { readSnapshot } from '../observability/snapshot.ts';
import { registerTradingMetrics } from '../observability/trading-collector.ts';
import { createRateLimiter } from '../security/rate-limit.ts';
import { createSessionChecker } from '../security/session-check.ts';
import type { AppDeps } from './context.ts';
import { blockList } from './middleware/ip-block.ts';

export async function createApiDeps(config: Config, log: Logger, sql: Sql, temporal: Client): Promise<AppDeps & { close(): Promise<void> }> {
  const sessions = await createSessionChecker(sql, config.SESSION_IDLE_TIMEOUT_S, log);
  const rateLimiter = createRateLimiter(config, sql);
  const metrics = createMetrics('api');
  const monitoring = registerTradingMetrics(metrics.registry, () => readSnapshot({ sql, config, temporal }), log);
  const heartbeat = startProcessMonitoring({ sql, config, log, kind: 'api', metrics });
  const blocks = await blockList(sql);
  // One budget for the operator's login call and the status view; it is the workers' shared one.
  const limiter = config.BROKER === 'breeze' ? createBrokerRateLimiter(config, sql) : undefined;
  return {
    config,
    log,
    sql,
    temporal,
    metrics,
    monitoring,
    audit: createAuditLog({ fileCopy: createAuditFileCopy(path.join(config.dataDir, 'audit'), log, metrics.registry) }),
    sessions,
    rateLimiter,
    blockList: blocks,
    paper: config.BROKER === 'paper' ? (createBroker(config, sql) as PaperExchange) : undefined,
    breeze: limiter && { client: createBreezeClient({ config, sql, log, limiter }), login: breezeLoginOptions(config, limiter) },
    async close() {
      await heartbeat.stop();
      await sessions.close();
      await rateLimiter.close();
      await blocks.close();
      await limiter?.close();
    },
  };
}
