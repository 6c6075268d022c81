/**
 * The settings of a process, read from the environment (and `.env` when present) and validated
 * once, with the checks that span several settings. Nothing else in the code base reads
 * `process.env`: entries call {@link readConfig} and pass the result down. The catalogue of
 * settings (types, defaults, descriptions) is src/config/settings.ts.
 *
 * @module
 */
import { createHmac } from 'node:crypto';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import type { RiskLimits } from './domain/risk/limits.ts';
import { type ChargeSchedule, DEFAULT_CHARGES, type Segment } from './domain/charges.ts';
import { type DevSecrets, loadOrCreateDevSecrets } from './config/dev-secrets.ts';
import { settings } from './config/settings.ts';

const schema = z.object(settings);
export type Config = Omit<z.infer<typeof schema>, keyof DevSecrets> & DevSecrets & { dataDir: string };

/** A setting that failed validation, named so the operator can fix it. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  readonly issues: { variable: string; message: string }[];
  constructor(issues: { variable: string; message: string }[]) {
    super(`invalid configuration: ${issues.map((i) => `${i.variable}: ${i.message}`).join('; ')}`);
    this.issues = issues;
  }
}

/**
 * Parse and validate the settings. Empty strings count as unset. Outside production, `devSecrets`
 * supplies JWT_SECRET and ADMIN_PASSWORD when they are unset (see src/config/dev-secrets.ts).
 *
 * @example
 * const config = loadConfig({ PORT: '8080', BROKER: 'paper' }, { devSecrets: generateDevSecrets });
 */
export function loadConfig(env: Record<string, string | undefined>, options: { devSecrets?: (dataDir: string) => DevSecrets } = {}): Config {
  const present = Object.fromEntries(Object.entries(env).filter(([k, v]) => k in settings && v !== undefined && v !== ''));
  const parsed = schema.safeParse(present);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => ({ variable: String(i.path[0] ?? '?'), message: i.message })));
  }
  const dataDir = path.resolve(parsed.data.DATA_DIR);
  assertProductionReady(parsed.data);
  const given = parsed.data;
  const generated = given.JWT_SECRET && given.ADMIN_PASSWORD ? undefined : options.devSecrets?.(dataDir);
  const JWT_SECRET = given.JWT_SECRET ?? generated?.JWT_SECRET;
  const ADMIN_PASSWORD = given.ADMIN_PASSWORD ?? generated?.ADMIN_PASSWORD;
  if (!JWT_SECRET || !ADMIN_PASSWORD) {
    const missing = Object.entries({ JWT_SECRET, ADMIN_PASSWORD }).filter(([, v]) => !v);
    throw new ConfigError(missing.map(([variable]) => ({ variable, message: 'required (npm start and the entry points generate development values into DATA_DIR/dev-secrets.json)' })));
  }
  const config: Config = { ...given, JWT_SECRET, ADMIN_PASSWORD, dataDir };
  assertRetention(config);
  assertBrokerReady(config);
  return config;
}

/** BROKER=breeze cannot sign a single call without its key and secret: say so at start, not on the first order. */
function assertBrokerReady(config: Config): void {
  if (config.BROKER !== 'breeze') return;
  const missing = (['BREEZE_APP_KEY', 'BREEZE_SECRET_KEY'] as const).filter((name) => !config[name]);
  if (missing.length) throw new ConfigError(missing.map((variable) => ({ variable, message: 'required with BROKER=breeze' })));
  // A reserve as large as the budget would leave nothing for polls and quotes, and stop-loss watching with them.
  const reserves = [
    ['BROKER_ORDER_RESERVE_PER_MINUTE', config.BROKER_ORDER_RESERVE_PER_MINUTE, config.BROKER_CALLS_PER_MINUTE, 'BROKER_CALLS_PER_MINUTE'],
    ['BROKER_ORDER_RESERVE_PER_DAY', config.BROKER_ORDER_RESERVE_PER_DAY, config.BROKER_CALLS_PER_DAY, 'BROKER_CALLS_PER_DAY'],
  ] as const;
  const tooLarge = reserves.filter(([, reserve, budget]) => reserve >= budget);
  if (tooLarge.length) throw new ConfigError(tooLarge.map(([variable, , , budget]) => ({ variable, message: `must be below ${budget}` })));
}

/** Production must not run on anything a developer machine gets for free. */
function assertProductionReady(settings: z.infer<typeof schema>): void {
  if (settings.NODE_ENV !== 'production') return;
  const issues: { variable: string; message: string }[] = [];
  if (!settings.DATABASE_URL) issues.push({ variable: 'DATABASE_URL', message: 'required in production (embedded Postgres is for development)' });
  if (!settings.TEMPORAL_ADDRESS) issues.push({ variable: 'TEMPORAL_ADDRESS', message: 'required in production (the dev server is for development)' });
  if (!settings.JWT_SECRET) issues.push({ variable: 'JWT_SECRET', message: 'required in production: your own secret of at least 32 characters' });
  if (!settings.ADMIN_PASSWORD) issues.push({ variable: 'ADMIN_PASSWORD', message: 'required in production: your own first-admin password' });
  if (issues.length) throw new ConfigError(issues);
}

/** SEBI record keeping: five years, unless the operator overrides it on purpose. */
const FIVE_YEARS_DAYS = 1827;

function assertRetention(config: Config): void {
  if (config.RETENTION_ALLOW_SHORT) return;
  const issues = (['AUDIT_RETENTION_DAYS', 'TRADE_RETENTION_DAYS'] as const)
    .filter((k) => config[k] < FIVE_YEARS_DAYS)
    .map((variable) => ({ variable, message: `at least ${FIVE_YEARS_DAYS} days (5 years) unless RETENTION_ALLOW_SHORT=true` }));
  if (issues.length) throw new ConfigError(issues);
}

/** The HMAC key of the audit anchors. */
export function auditAnchorKey(config: Config): string {
  return config.AUDIT_ANCHOR_KEY ?? createHmac('sha256', config.JWT_SECRET).update('breeze-trader audit anchor').digest('hex');
}

/** Read `.env` (when present) into the environment, then load the settings. */
export function readConfig(): Config {
  if (existsSync('.env')) process.loadEnvFile('.env');
  return loadConfig(process.env, { devSecrets: loadOrCreateDevSecrets });
}

/** The RISK_* settings as limits in paise and basis points. */
export function defaultRiskLimits(config: Config): RiskLimits {
  return {
    maxPositionQuantity: config.RISK_MAX_POSITION_QUANTITY,
    maxOpenPositions: config.RISK_MAX_OPEN_POSITIONS,
    dailyLossLimitPaise: Math.round(config.RISK_DAILY_LOSS_LIMIT * 100),
    maxConcentrationBp: Math.round(config.RISK_MAX_CONCENTRATION * 10_000),
    maxTradeValuePaise: Math.round(config.RISK_MAX_TRADE_VALUE * 100),
    maxOrdersPerSecond: config.RISK_MAX_ORDERS_PER_SECOND,
    priceBandBp: Math.round(config.RISK_PRICE_BAND * 10_000),
  };
}

/** The charge schedule: the defaults with CHARGES_SCHEDULE's overrides. */
export function chargeSchedule(config: Config): ChargeSchedule {
  const o = config.CHARGES_SCHEDULE ?? {};
  const segments = { ...DEFAULT_CHARGES.segments };
  for (const [segment, rates] of Object.entries(o.segments ?? {}) as [Segment, Partial<ChargeSchedule['segments'][Segment]>][]) {
    segments[segment] = { ...segments[segment], ...rates };
  }
  return { ...DEFAULT_CHARGES, ...o, segments };
}
