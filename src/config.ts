/**
 * The settings of a process, read from the environment (and `.env` when present) and validated
 * once, with the checks that span several settings. Nothing else in the code base reads
 * `process.env`: entries call {@link readConfig} and pass the sections down, each function taking
 * the sections it reads (`poolOptions(config.database)`, `createBroker(config, sql)` with
 * `Pick<Config, 'broker' | ...>`). The catalogue of settings (types, defaults, descriptions, by
 * section) is src/config/settings.ts; the environment variable names are the keys inside each
 * section (`config.risk.RISK_DAILY_LOSS_LIMIT`).
 *
 * @module
 */
import { createHmac } from 'node:crypto';
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { z } from 'zod';
import type { RiskLimits } from './domain/risk/limits.ts';
import { type ChargeSchedule, DEFAULT_CHARGES, type Segment } from './domain/charges.ts';
import { type DevSecrets, loadOrCreateDevSecrets } from './config/dev-secrets.ts';
import { type SectionName, sections, settings } from './config/settings.ts';
import type { AccountSettings } from './config/sections/account.ts';
import type { AlertSettings } from './config/sections/alerts.ts';
import type { BackupSettings } from './config/sections/backup.ts';
import type { BrokerSettings } from './config/sections/broker.ts';
import type { DatabaseSettings } from './config/sections/database.ts';
import type { HttpSettings } from './config/sections/http.ts';
import type { MarketSettings } from './config/sections/market.ts';
import type { PaperSettings } from './config/sections/paper.ts';
import { PORT_NAMES, type PortSettings } from './config/sections/ports.ts';
import type { ProcessSettings } from './config/sections/process.ts';
import type { ReconciliationSettings } from './config/sections/reconciliation.ts';
import type { RedisSettings } from './config/sections/redis.ts';
import type { RetentionSettings } from './config/sections/retention.ts';
import type { RiskSettings } from './config/sections/risk.ts';
import type { SecuritySettings } from './config/sections/security.ts';
import type { TemporalSettings } from './config/sections/temporal.ts';
import type { WorkerSettings } from './config/sections/worker.ts';

/** The settings by section, and DATA_DIR resolved to an absolute path. */
export interface Config {
  process: ProcessSettings;
  ports: PortSettings;
  database: DatabaseSettings;
  temporal: TemporalSettings;
  worker: WorkerSettings;
  http: HttpSettings;
  security: SecuritySettings;
  redis: RedisSettings;
  alerts: AlertSettings;
  retention: RetentionSettings;
  account: AccountSettings;
  market: MarketSettings;
  paper: PaperSettings;
  risk: RiskSettings;
  broker: BrokerSettings;
  reconciliation: ReconciliationSettings;
  backup: BackupSettings;
  dataDir: string;
}

type Parsed = { [S in SectionName]: z.infer<(typeof sections)[S]> };

/** A setting that failed validation, named so the operator can fix it. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  readonly issues: { variable: string; message: string }[];
  constructor(issues: { variable: string; message: string }[]) {
    super(`invalid configuration: ${issues.map((i) => `${i.variable}: ${i.message}`).join('; ')}`);
    this.issues = issues;
  }
}

/** Each section parsed from the same variables; the issues of all sections together. */
function parseSections(present: Record<string, string>): Parsed {
  const issues: { variable: string; message: string }[] = [];
  const parsed: Partial<Record<SectionName, unknown>> = {};
  for (const [name, schema] of Object.entries(sections) as [SectionName, (typeof sections)[SectionName]][]) {
    const result = schema.safeParse(present);
    if (result.success) parsed[name] = result.data;
    else issues.push(...result.error.issues.map((i) => ({ variable: String(i.path[0] ?? '?'), message: i.message })));
  }
  if (issues.length) throw new ConfigError(issues);
  return parsed as Parsed;
}

/**
 * Parse and validate the settings. Empty strings count as unset. Outside production, `devSecrets`
 * supplies JWT_SECRET and ADMIN_PASSWORD when they are unset (see src/config/dev-secrets.ts).
 *
 * @example
 * const config = loadConfig({ PORT: '8080', BROKER: 'paper' }, { devSecrets: generateDevSecrets });
 * config.ports.PORT; // 8080
 */
export function loadConfig(env: Record<string, string | undefined>, options: { devSecrets?: (dataDir: string) => DevSecrets } = {}): Config {
  const present = Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => e[0] in settings && e[1] !== undefined && e[1] !== ''));
  const parsed = parseSections(present);
  parsed.ports = offsetPorts(parsed.ports, present);
  // A second copy (PORT_OFFSET) must not share the first one's data: its own directory by default.
  const dataDir = path.resolve('DATA_DIR' in present || !parsed.ports.PORT_OFFSET ? parsed.process.DATA_DIR : `./data-${parsed.ports.PORT_OFFSET}`);
  assertProductionReady(parsed);
  const given = parsed.security;
  const generated = given.JWT_SECRET && given.ADMIN_PASSWORD ? undefined : options.devSecrets?.(dataDir);
  const JWT_SECRET = given.JWT_SECRET ?? generated?.JWT_SECRET;
  const ADMIN_PASSWORD = given.ADMIN_PASSWORD ?? generated?.ADMIN_PASSWORD;
  if (!JWT_SECRET || !ADMIN_PASSWORD) {
    const missing = Object.entries({ JWT_SECRET, ADMIN_PASSWORD }).filter(([, v]) => !v);
    throw new ConfigError(missing.map(([variable]) => ({ variable, message: 'required (npm start and the entry points generate development values into DATA_DIR/dev-secrets.json)' })));
  }
  const config: Config = { ...parsed, security: { ...given, JWT_SECRET, ADMIN_PASSWORD }, dataDir };
  assertRetention(config.retention);
  assertBrokerReady(config.broker);
  return config;
}

/** PORT_OFFSET moves every port left at its default; a port set explicitly is used as given. */
function offsetPorts(ports: PortSettings, present: Record<string, string>): PortSettings {
  const offset = ports.PORT_OFFSET;
  if (!offset) return ports;
  const moved = { ...ports };
  for (const name of PORT_NAMES) if (!(name in present)) moved[name] += offset;
  const tooHigh = PORT_NAMES.filter((name) => moved[name] > 65_535);
  if (tooHigh.length) throw new ConfigError([{ variable: 'PORT_OFFSET', message: `${offset} moves ${tooHigh.join(', ')} past 65535` }]);
  return moved;
}

/** BROKER=breeze cannot sign a single call without its key and secret: say so at start, not on the first order. */
function assertBrokerReady(broker: BrokerSettings): void {
  if (broker.BROKER !== 'breeze') return;
  const missing = (['BREEZE_APP_KEY', 'BREEZE_SECRET_KEY'] as const).filter((name) => !broker[name]);
  if (missing.length) throw new ConfigError(missing.map((variable) => ({ variable, message: 'required with BROKER=breeze' })));
  // A reserve as large as the budget would leave nothing for polls and quotes, and stop-loss watching with them.
  const reserves = [
    ['BROKER_ORDER_RESERVE_PER_MINUTE', broker.BROKER_ORDER_RESERVE_PER_MINUTE, broker.BROKER_CALLS_PER_MINUTE, 'BROKER_CALLS_PER_MINUTE'],
    ['BROKER_ORDER_RESERVE_PER_DAY', broker.BROKER_ORDER_RESERVE_PER_DAY, broker.BROKER_CALLS_PER_DAY, 'BROKER_CALLS_PER_DAY'],
  ] as const;
  const tooLarge = reserves.filter(([, reserve, budget]) => reserve >= budget);
  if (tooLarge.length) throw new ConfigError(tooLarge.map(([variable, , , budget]) => ({ variable, message: `must be below ${budget}` })));
}

/** Production must not run on anything a developer machine gets for free. */
function assertProductionReady({ process, database, temporal, security }: Parsed): void {
  if (process.NODE_ENV !== 'production') return;
  const issues: { variable: string; message: string }[] = [];
  if (!database.DATABASE_URL) issues.push({ variable: 'DATABASE_URL', message: 'required in production (embedded Postgres is for development)' });
  if (!temporal.TEMPORAL_ADDRESS) issues.push({ variable: 'TEMPORAL_ADDRESS', message: 'required in production (the dev server is for development)' });
  if (!security.JWT_SECRET) issues.push({ variable: 'JWT_SECRET', message: 'required in production: your own secret of at least 32 characters' });
  if (!security.ADMIN_PASSWORD) issues.push({ variable: 'ADMIN_PASSWORD', message: 'required in production: your own first-admin password' });
  if (issues.length) throw new ConfigError(issues);
}

/** SEBI record keeping: five years, unless the operator overrides it on purpose. */
const FIVE_YEARS_DAYS = 1827;

function assertRetention(retention: RetentionSettings): void {
  if (retention.RETENTION_ALLOW_SHORT) return;
  const issues = (['AUDIT_RETENTION_DAYS', 'TRADE_RETENTION_DAYS'] as const)
    .filter((k) => retention[k] < FIVE_YEARS_DAYS)
    .map((variable) => ({ variable, message: `at least ${FIVE_YEARS_DAYS} days (5 years) unless RETENTION_ALLOW_SHORT=true` }));
  if (issues.length) throw new ConfigError(issues);
}

/** The HMAC key of the audit anchors. */
export function auditAnchorKey(security: SecuritySettings): string {
  return security.AUDIT_ANCHOR_KEY ?? createHmac('sha256', security.JWT_SECRET).update('breeze-trader audit anchor').digest('hex');
}

/** Read `.env` (when present) into the environment, then load the settings. */
export function readConfig(): Config {
  if (existsSync('.env')) process.loadEnvFile('.env');
  return loadConfig(process.env, { devSecrets: loadOrCreateDevSecrets });
}

/** Every setting by its environment variable, as one flat record (the backup's config.json). */
export function settingValues(config: Config): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  for (const name of Object.keys(sections) as SectionName[]) Object.assign(values, config[name]);
  return values;
}

/** The RISK_* settings as limits in paise and basis points. */
export function defaultRiskLimits(risk: RiskSettings): RiskLimits {
  return {
    maxPositionQuantity: risk.RISK_MAX_POSITION_QUANTITY,
    maxOpenPositions: risk.RISK_MAX_OPEN_POSITIONS,
    dailyLossLimitPaise: Math.round(risk.RISK_DAILY_LOSS_LIMIT * 100),
    maxConcentrationBp: Math.round(risk.RISK_MAX_CONCENTRATION * 10_000),
    maxTradeValuePaise: Math.round(risk.RISK_MAX_TRADE_VALUE * 100),
    maxOrdersPerSecond: risk.RISK_MAX_ORDERS_PER_SECOND,
    priceBandBp: Math.round(risk.RISK_PRICE_BAND * 10_000),
  };
}

/** The charge schedule: the defaults with CHARGES_SCHEDULE's overrides. */
export function chargeSchedule(market: MarketSettings): ChargeSchedule {
  const o = market.CHARGES_SCHEDULE ?? {};
  const segments = { ...DEFAULT_CHARGES.segments };
  for (const [segment, rates] of Object.entries(o.segments ?? {}) as [Segment, Partial<ChargeSchedule['segments'][Segment]>][]) {
    segments[segment] = { ...segments[segment], ...rates };
  }
  return { ...DEFAULT_CHARGES, ...o, segments };
}
