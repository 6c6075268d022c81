/**
 * At each start, the effective risk settings are compared with the last start's; a change is
 * audited as CONFIG_CHANGED (source "environment") with the old and new values, and a loosening is
 * flagged as bypassing the second-admin rule of PUT /risk/limits (the config_loosened_by_environment
 * alert fires on it). Workers starting together take turns under one advisory lock, so a change is
 * recorded once.
 *
 * @module
 */
import type { Config } from '../config.ts';
import type { Logger } from '../config/logger.ts';
import { riskSettingsChange, riskSnapshot } from '../config/risk-settings-change.ts';
import { readConfigSnapshot, writeConfigSnapshot } from '../db/config-snapshots.ts';
import type { Sql } from '../db/pool.ts';
import { transaction } from '../db/transaction.ts';
import type { AuditLog } from './append.ts';

const SECTION = 'risk';

export async function auditSettingsAtStart(deps: { sql: Sql; audit: AuditLog; config: Config; log: Logger }, process: string): Promise<void> {
  const change = await transaction(deps.sql, async (tx) => {
    await tx`select pg_advisory_xact_lock(hashtext('config_snapshots'))`;
    const before = await readConfigSnapshot(tx, SECTION);
    const found = before ? riskSettingsChange(before, deps.config.risk) : undefined;
    if (found) {
      await deps.audit.append(tx, {
        type: 'CONFIG_CHANGED',
        actor: { type: 'system', id: process },
        severity: found.loosened.length ? 'CRITICAL' : 'HIGH',
        payload: { setting: 'risk_settings', source: 'environment', old: found.old, new: found.new, loosened: found.loosened, bypassedSecondAdmin: found.bypassedSecondAdmin },
      });
    }
    if (!before || found) await writeConfigSnapshot(tx, SECTION, riskSnapshot(deps.config.risk));
    return found;
  });
  if (change?.loosened.length) deps.log.error({ alert: 'config_loosened_by_environment', ...change }, 'risk settings loosened through the environment: no second admin approved this');
  else if (change) deps.log.warn({ ...change }, 'risk settings changed since the last start');
}
