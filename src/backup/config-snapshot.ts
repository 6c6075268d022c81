/**
 * The configuration a backup records next to the data (`config.json`): every setting with
 * secrets left out and credentials stripped from URLs, and the risk-limit overrides in force.
 * It is for the operator rebuilding a host (what did production run with?); the settings are the
 * environment's, so a restore shows them and never applies them. The overrides are also in the
 * table data, which is what a restore loads.
 *
 * @module
 */
import { type Config, settingValues } from '../config.ts';
import type { Queryable } from '../db/pool.ts';

/** Names of settings whose values are never written anywhere. */
const SECRET_SETTING = /SECRET|PASSWORD|PASSPHRASE|TOKEN|KEY|SESSION|CREDENTIAL/i;

export interface ConfigSnapshot {
  settings: Record<string, unknown>;
  /** Settings that have a value which was left out. */
  secretsLeftOut: string[];
  riskLimitOverrides: unknown[];
}

/**
 * A URL without what may authenticate: user and password, the query (`?token=`), and for webhook
 * URLs the path too (Slack's and Discord's hooks carry their secret there).
 */
function withoutCredentials(name: string, value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return value;
  }
  if (!url.host) return value;
  if (/WEBHOOK/.test(name)) return `${url.origin}/(path left out)`;
  if (!url.username && !url.password && !url.search) return value;
  url.username = '';
  url.password = '';
  url.search = '';
  return url.toString();
}

export function settingsSnapshot(config: Config): Pick<ConfigSnapshot, 'settings' | 'secretsLeftOut'> {
  const out: Record<string, unknown> = {};
  const secretsLeftOut: string[] = [];
  for (const [name, value] of Object.entries(settingValues(config))) {
    if (SECRET_SETTING.test(name)) {
      if (value !== undefined) secretsLeftOut.push(name);
      continue;
    }
    out[name] = typeof value === 'string' ? withoutCredentials(name, value) : value;
  }
  return { settings: out, secretsLeftOut };
}

export async function configSnapshot(sql: Queryable, config: Config): Promise<ConfigSnapshot> {
  const [exists] = await sql<{ present: boolean }[]>`select to_regclass('risk_limit_overrides') is not null as present`;
  const overrides = exists?.present ? await sql`select * from risk_limit_overrides order by account_id` : [];
  return { ...settingsSnapshot(config), riskLimitOverrides: [...overrides] };
}
