/**
 * The whole system in one test process: a database of its own, the shared Temporal dev server, a
 * worker on a task queue of its own running the real workflows and activities against the broker
 * of TEST_BROKER (the paper exchange by default, or Breeze through an emulator of its own, prices
 * streamed over Socket.IO), and the Hono app (requests go in-process through `app.request`).
 * Tests move prices and read the exchange's orders through `stack.market`, the same for both.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, type Worker } from '@temporalio/worker';
import { inject } from 'vitest';
import { createApp } from '../../src/api/app.ts';
import type { AppDeps } from '../../src/api/deps.ts';
import { createApiDeps } from '../../src/api-process/create-api-deps.ts';
import { ensureFirstAdmin } from '../../src/security/first-admin.ts';
import { randomBytes } from 'node:crypto';
import { type AuditLog, createAuditLog } from '../../src/audit/append.ts';
import { createAuditFileCopy } from '../../src/audit/file-copy.ts';
import { createBreezeClient } from '../../src/broker/breeze/create.ts';
import { createBrokerStreams } from '../../src/broker/create.ts';
import { PaperExchange } from '../../src/broker/paper/exchange.ts';
import type { PriceFeed } from '../../src/broker/price-feed.ts';
import type { Broker } from '../../src/broker/types.ts';
import type { Config } from '../../src/config.ts';
import { ensureAccount } from '../../src/db/accounts.ts';
import { setAuditRetention } from '../../src/db/grants.ts';
import type { BrokerMetrics } from '../../src/observability/broker-metrics.ts';
import { createTradingWorker } from '../../src/worker/create-worker.ts';
import { testConfig } from './config.ts';
import { type EmulatedBreeze, paperMarket, startEmulatedBreeze, testBroker, type TestBroker, type TestMarket, withStrayOrders } from './market.ts';
import { createTestDatabase, type TestDatabase } from './db.ts';
import { silentLogger } from './logger.ts';
import { type Authenticator, loginWithSecondFactor } from './totp.ts';

export interface TestStack {
  config: Config;
  db: TestDatabase;
  client: Client;
  /** The paper exchange (always built; the broker only when `market.broker` is paper). */
  paper: PaperExchange;
  /** Prices and the exchange's orders, whichever broker the worker trades through. */
  market: TestMarket;
  /** The broker the worker trades through (wrapped by `wrapBroker` when given). */
  broker: Broker;
  /** The settings that point another worker (a process of its own) at this stack's broker; empty for paper. */
  brokerSettings: Record<string, string>;
  /** The Breeze emulator when the stack trades through Breeze. */
  emulator: EmulatedBreeze['emulator'] | undefined;
  audit: AuditLog;
  deps: AppDeps;
  app: ReturnType<typeof createApp>;
  worker: Worker | undefined;
  /** The worker's price feed (also built when the worker is not). */
  prices: PriceFeed;
  /** An HTTP request to the app, in-process, from `ip` (default 203.0.113.10). */
  request(path: string, init?: RequestInit & { ip?: string; token?: string }): Promise<Response>;
  /** Log in through POST /auth/login (an admin enrols a second factor at its first login: test/support/totp.ts). */
  login(username?: string, password?: string): Promise<Tokens>;
  /** The authenticator of a user who enrolled through `login` (the first admin by default). */
  authenticator(username?: string): Authenticator;
  /** Create a user through POST /users (as the first admin) and log it in. */
  userWithRole(role: 'admin' | 'trader' | 'viewer'): Promise<Tokens & { username: string; password: string; id: string }>;
  stop(): Promise<void>;
}

export interface Tokens {
  accessToken: string;
  refreshToken: string;
}

export const TEST_IP = '203.0.113.10';

/**
 * An account id of its own for a test file. Workflow ids such as `circuit-breaker-<account>` are
 * global to the shared Temporal server: two files using the default account would message one
 * breaker, left running on the task queue of whichever file started it.
 */
export function ownAccountId(): string {
  return `t${randomBytes(5).toString('hex')}`;
}

let bundleCode: string | undefined;
export function workflowBundleCode(): string {
  bundleCode ??= readFileSync(inject('workflowBundlePath'), 'utf8');
  return bundleCode;
}

export async function connectTemporal(address = inject('temporalAddress')): Promise<{ client: Client; connection: NativeConnection }> {
  const client = new Client({ connection: await Connection.connect({ address }) });
  const connection = await NativeConnection.connect({ address });
  return { client, connection };
}

export interface StackOptions {
  settings?: Record<string, string>;
  /** Use this broker instead of TEST_BROKER's (the paper exchange is still built for quotes; `market` is paper's). */
  broker?: (config: Config, db: TestDatabase) => Broker;
  /** Trade through this broker whatever TEST_BROKER says (Breeze's own files: an emulator of the stack's own). */
  testBroker?: TestBroker;
  /** Wrap TEST_BROKER's broker (faults injected at the broker, the same way on both). */
  wrapBroker?: (broker: Broker) => Broker;
  /** Symbols the test trades beyond the emulator's built-in ones (Breeze needs their codes up front). */
  symbols?: string[];
  /** Leave the worker stopped (tests that run their own worker processes). */
  noWorker?: boolean;
  /** Time and count the worker's broker calls here. */
  brokerMetrics?: BrokerMetrics;
  /** Runs on the fresh database before anything else writes to it (the first admin, for one). */
  seed?: (db: TestDatabase, config: Config) => Promise<void>;
  /** A database and Temporal server of the file's own (fault drills: test/support/own-infra.ts). */
  database?: TestDatabase;
  temporalAddress?: string;
  /** The clock of the worker's activities and of the paper exchange (dated market rules: MARKET_HOURS=nse). */
  now?: () => Date;
}

export async function startStack(options: StackOptions = {}): Promise<TestStack> {
  const db = options.database ?? (await createTestDatabase());
  const temporalAddress = options.temporalAddress ?? inject('temporalAddress');
  const base = {
    DATABASE_URL: db.url,
    DATABASE_ADMIN_URL: db.adminUrl,
    TEMPORAL_ADDRESS: temporalAddress,
    // Logins with a second factor come quicker than a person's: the default 5 a second from one
    // address failed whichever file logged in most on a quick machine. test/e2e/rate-limits.test.ts
    // sets the default back to test the auth limit itself.
    RATE_LIMIT_AUTH: '50,500,5000,50000',
  };
  let config = testConfig({ ...base, ...options.settings });
  const breeze = !options.broker && (options.testBroker ?? testBroker()) === 'breeze' ? await startEmulatedBreeze(config.dataDir, options.symbols) : undefined;
  if (breeze) config = testConfig({ ...base, DATA_DIR: config.dataDir, ...breeze.settings, ...options.settings });
  // What openDatabase() does as the schema owner at each start: the retention the database enforces.
  await db.admin.begin((tx) => setAuditRetention(tx, config.retention.AUDIT_RETENTION_DAYS));
  await ensureAccount(db.sql, config.account.ACCOUNT_ID, Math.round(config.account.ACCOUNT_CAPITAL * 100));
  // the emulated broker holds what the paper ledger starts with, in each segment (its funds check reads them)
  const capitalPaise = Math.round(config.account.ACCOUNT_CAPITAL * 100);
  breeze?.emulator.setFunds({ bankPaise: 2 * capitalPaise, equityPaise: capitalPaise, fnoPaise: capitalPaise });
  await options.seed?.(db, config);
  const { client, connection } = await connectTemporal(temporalAddress);
  const paper = new PaperExchange({ sql: db.sql, marketHours: config.market.MARKET_HOURS, slippageBps: config.paper.PAPER_SLIPPAGE_BPS, randomWalk: config.paper.PAPER_RANDOM_WALK, seed: config.paper.PAPER_SEED, ...(options.now ? { now: options.now } : {}) });
  if (breeze) {
    // tests written before stack.market (or merged from branches that predate it) still move the market
    const pin = paper.setQuote.bind(paper);
    paper.setQuote = async (instrument, pricePaise) => {
      await breeze.market.setQuote(instrument, pricePaise);
      return pin(instrument, pricePaise);
    };
  }
  const breezeClient = breeze ? createBreezeClient({ config, sql: db.sql, log: silentLogger }) : undefined;
  const exchange = options.broker?.(config, db) ?? breezeClient ?? paper;
  const broker = options.wrapBroker?.(exchange) ?? exchange;
  const audit = createAuditLog({ fileCopy: createAuditFileCopy(path.join(config.dataDir, 'audit'), silentLogger) });
  const streams = await createBrokerStreams(config, db.sql, broker, silentLogger);
  const worker = options.noWorker
    ? undefined
    : await createTradingWorker({ config, log: silentLogger, sql: db.sql, connection, client, broker, prices: streams.prices, orderNotices: streams.orderNotices, paperOrderChanges: streams.paperOrderChanges, audit, workflowBundleCode: workflowBundleCode(), brokerMetrics: options.brokerMetrics, now: options.now });
  const running = worker?.run();
  const deps = await createApiDeps(config, silentLogger, db.sql, client);
  await ensureFirstAdmin(db.sql, config, deps.audit, silentLogger);
  const app = createApp(deps);
  const request: TestStack['request'] = (path, init = {}) => {
    const { ip, token, ...rest } = init;
    const headers = new Headers(rest.headers);
    if (token) headers.set('Authorization', `Bearer ${token}`);
    if (rest.body !== undefined && !headers.has('content-type')) headers.set('Content-Type', 'application/json');
    return Promise.resolve(app.request(path, { ...rest, headers }, { incoming: { socket: { remoteAddress: ip ?? TEST_IP } } }));
  };
  const authenticators = new Map<string, Authenticator>();
  const login: TestStack['login'] = async (username = config.security.ADMIN_USERNAME, password = config.security.ADMIN_PASSWORD) => {
    const post = (path: string, body: unknown) => request(path, { method: 'POST', body: JSON.stringify(body) });
    const res = await loginWithSecondFactor(post, username, password, authenticators, config.security.TOTP_DRIFT_STEPS);
    if (res.status !== 200) throw new Error(`login of ${username} failed: ${res.status} ${await res.text()}`);
    return (await res.json()) as Tokens;
  };
  let adminToken: string | undefined;
  let users = 0;
  const userWithRole: TestStack['userWithRole'] = async (role) => {
    adminToken ??= (await login()).accessToken;
    const username = `${role}${++users}-${randomBytes(3).toString('hex')}`;
    const password = `pw-${randomBytes(12).toString('hex')}`;
    const res = await request('/users', { method: 'POST', token: adminToken, body: JSON.stringify({ username, password, role }) });
    if (res.status !== 201) throw new Error(`creating ${role} failed: ${res.status} ${await res.text()}`);
    const { id } = (await res.json()) as { id: string };
    return { ...(await login(username, password)), username, password, id };
  };
  return {
    config,
    db,
    client,
    paper,
    market: withStrayOrders(breeze?.market ?? paperMarket(paper, db), breezeClient ?? paper, config.account.ACCOUNT_ID),
    broker,
    brokerSettings: breeze?.settings ?? {},
    emulator: breeze?.emulator,
    audit,
    deps,
    app,
    worker,
    prices: streams.prices,
    request,
    login,
    authenticator(username = config.security.ADMIN_USERNAME) {
      const found = authenticators.get(username);
      if (!found) throw new Error(`${username} has not enrolled a second factor through stack.login()`);
      return found;
    },
    userWithRole,
    async stop() {
      if (worker && running) {
        worker.shutdown();
        // past shutdownForceTime the worker gives up on activities that did not end (and says so)
        await running.catch((err: unknown) => console.warn(`test worker stopped by force: ${String(err)}`));
      }
      await streams.prices.close();
      await streams.paperOrderChanges?.close();
      await deps.close();
      await connection.close().catch(() => undefined); // still referenced by a worker stopped by force
      await client.connection.close();
      await breezeClient?.close();
      await breeze?.emulator.stop();
      await db.drop();
    },
  };
}
