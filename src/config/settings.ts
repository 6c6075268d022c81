/**
 * Every setting of the system, grouped into the sections the code reads them by. Each section's
 * settings (type, default, one-line description) are in src/config/sections/<section>.ts; the
 * README table and `.env.example` are generated from this catalogue (`npm run docs:config`);
 * loading and the cross-setting checks live in src/config.ts.
 *
 * @module
 */
import { accountSettings } from './sections/account.ts';
import { alertSettings } from './sections/alerts.ts';
import { backupSettings } from './sections/backup.ts';
import { brokerSettings } from './sections/broker.ts';
import { databaseSettings } from './sections/database.ts';
import { httpSettings } from './sections/http.ts';
import { marketSettings } from './sections/market.ts';
import { paperSettings } from './sections/paper.ts';
import { portSettings } from './sections/ports.ts';
import { processSettings } from './sections/process.ts';
import { reconciliationSettings } from './sections/reconciliation.ts';
import { redisSettings } from './sections/redis.ts';
import { retentionSettings } from './sections/retention.ts';
import { riskSettings } from './sections/risk.ts';
import { securitySettings } from './sections/security.ts';
import { temporalSettings } from './sections/temporal.ts';
import { workerSettings } from './sections/worker.ts';

/** The sections, in the order the docs list them; each name is a key of `Config`. */
export const sections = {
  process: processSettings,
  ports: portSettings,
  database: databaseSettings,
  temporal: temporalSettings,
  worker: workerSettings,
  http: httpSettings,
  security: securitySettings,
  redis: redisSettings,
  alerts: alertSettings,
  retention: retentionSettings,
  account: accountSettings,
  market: marketSettings,
  paper: paperSettings,
  risk: riskSettings,
  broker: brokerSettings,
  reconciliation: reconciliationSettings,
  backup: backupSettings,
};

export type SectionName = keyof typeof sections;

/** Every setting by its environment variable, whatever its section. */
export const settings = {
  ...processSettings.shape,
  ...portSettings.shape,
  ...databaseSettings.shape,
  ...temporalSettings.shape,
  ...workerSettings.shape,
  ...httpSettings.shape,
  ...securitySettings.shape,
  ...redisSettings.shape,
  ...alertSettings.shape,
  ...retentionSettings.shape,
  ...accountSettings.shape,
  ...marketSettings.shape,
  ...paperSettings.shape,
  ...riskSettings.shape,
  ...brokerSettings.shape,
  ...reconciliationSettings.shape,
  ...backupSettings.shape,
};
