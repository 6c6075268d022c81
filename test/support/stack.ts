/**
 * The whole system in one test process: a database of its own, the shared Temporal dev server, a
 * worker on a task queue of its own running the real workflows and activities against the paper
 * exchange, and the Hono app (requests go in-process through `app.request`).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, type Worker } from '@temporalio/worker';
import { inject } from 'vitest';
import { createApp } from '../../src/api/app.ts';
import { type AuditLog, createAuditLog } from '../../src/audit/append.ts';
import { createAuditFileCopy } from '../../src/audit/file-copy.ts';
import { PaperExchange } from '../../src/broker/paper/exchange.ts';
import type { Broker } from '../../src/broker/types.ts';
import type { Config } from '../../src/config.ts';
import { ensureAccount } from '../../src/db/accounts.ts';
import { createMetrics } from '../../src/observability/metrics.ts';
import { createTradingWorker } from '../../src/worker/create-worker.ts';
import { testConfig } from './config.ts';
import { createTestDatabase, type TestDatabase } from './db.ts';
import { silentLogger } from './logger.ts';

export interface TestStack {
  config: Config;
  db: TestDatabase;
  client: Client;
  paper: PaperExchange;
  audit: AuditLog;
  app: ReturnType<typeof createApp>;
  worker: Worker;
  stop(): Promise<void>;
}

let bundleCode: string | undefined;
export function workflowBundleCode(): string {
  bundleCode ??= readFileSync(inject('workflowBundlePath'), 'utf8');
  return bundleCode;
}

export async function connectTemporal(): Promise<{ client: Client; connection: NativeConnection }> {
  const address = inject('temporalAddress');
  const client = new Client({ connection: await Connection.connect({ address }) });
  const connection = await NativeConnection.connect({ address });
  return { client, connection };
}

export interface StackOptions {
  settings?: Record<string, string>;
  /** Use this broker instead of the paper exchange (the paper exchange is still built for quotes). */
  broker?: (config: Config, db: TestDatabase) => Broker;
  /** Leave the worker stopped (tests that run their own worker processes). */
  noWorker?: boolean;
}

export async function startStack(options: StackOptions = {}): Promise<TestStack> {
  const db = await createTestDatabase();
  const config = testConfig({ DATABASE_URL: db.url, DATABASE_ADMIN_URL: db.adminUrl, TEMPORAL_ADDRESS: inject('temporalAddress'), ...options.settings });
  await ensureAccount(db.sql, config.ACCOUNT_ID, Math.round(config.ACCOUNT_CAPITAL * 100));
  const { client, connection } = await connectTemporal();
  const paper = new PaperExchange({ sql: db.sql, marketHours: config.MARKET_HOURS, slippageBps: config.PAPER_SLIPPAGE_BPS, randomWalk: config.PAPER_RANDOM_WALK, seed: config.PAPER_SEED });
  const broker = options.broker?.(config, db) ?? paper;
  const audit = createAuditLog({ fileCopy: createAuditFileCopy(path.join(config.dataDir, 'audit'), silentLogger) });
  const worker = await createTradingWorker({ config, log: silentLogger, sql: db.sql, connection, client, broker, audit, workflowBundleCode: workflowBundleCode() });
  const running = options.noWorker ? undefined : worker.run();
  const app = createApp({ config, log: silentLogger, sql: db.sql, temporal: client, metrics: createMetrics('test') });
  return {
    config,
    db,
    client,
    paper,
    audit,
    app,
    worker,
    async stop() {
      if (running) {
        worker.shutdown();
        await running;
      }
      await connection.close();
      await client.connection.close();
      await db.drop();
    },
  };
}
