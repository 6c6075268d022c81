/**
 * Risk settings changed through the environment between two starts are audited once as
 * CONFIG_CHANGED with their old and new values; a loosening is flagged as bypassing the second
 * admin of PUT /risk/limits and raises the config_loosened_by_environment alert.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAuditLog } from '../../src/audit/append.ts';
import { auditSettingsAtStart } from '../../src/audit/settings-at-start.ts';
import { evaluate } from '../../src/domain/alerts/evaluate.ts';
import { builtinRules } from '../../src/domain/alerts/rules.ts';
import { snapshotSamples } from '../../src/observability/samples.ts';
import { readSnapshot } from '../../src/observability/snapshot.ts';
import { testConfig } from '../support/config.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { silentLogger } from '../support/logger.ts';
import { sealAudit } from '../../src/audit/seal.ts';

let db: TestDatabase;
const audit = createAuditLog();
const LIMITS_A = { RISK_MAX_TRADE_VALUE: '100000', RISK_MAX_OPEN_POSITIONS: '3', BREAKER_LOSS_STREAK: '3' };
const LIMITS_B = { RISK_MAX_TRADE_VALUE: '500000', RISK_MAX_OPEN_POSITIONS: '3', BREAKER_LOSS_STREAK: '0' };

const start = (settings: Record<string, string>) => auditSettingsAtStart({ sql: db.sql, audit, config: testConfig({ DATABASE_URL: db.url, ...settings }), log: silentLogger }, 'worker');
async function changes() {
  await sealAudit(db.sql);
  return db.sql<{ severity: string; actor: string; payload: Record<string, unknown> }[]>`
    select severity, actor_id as actor, payload from audit_events where event_type = 'CONFIG_CHANGED' and payload->>'source' = 'environment' order by seq`;
}
const firingRules = async (settings: Record<string, string>) => {
  const snapshot = await readSnapshot({ sql: db.sql, config: testConfig({ DATABASE_URL: db.url, ...settings }) });
  return evaluate(builtinRules({ minWorkers: 0 }), snapshotSamples(snapshot), [], Date.now(), 0).notifications.map((n) => n.ruleId);
};

beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => db?.drop());

describe('risk settings at start', () => {
  it('records the first start as the baseline, without a change to audit', async () => {
    await start(LIMITS_A);
    expect(await changes()).toEqual([]);
    expect(await firingRules(LIMITS_A)).not.toContain('config_loosened_by_environment');
  });

  it('audits a looser restart once, with old and new values, flagged as bypassing the second admin, and alerts', async () => {
    // Two workers starting together: one record between them.
    await Promise.all([start(LIMITS_B), start(LIMITS_B)]);
    const [change, ...more] = await changes();
    expect(more).toEqual([]);
    expect(change).toMatchObject({
      severity: 'CRITICAL',
      actor: 'worker',
      payload: {
        setting: 'risk_settings',
        old: { RISK_MAX_TRADE_VALUE: 100000, BREAKER_LOSS_STREAK: 3 },
        new: { RISK_MAX_TRADE_VALUE: 500000, BREAKER_LOSS_STREAK: 0 },
        loosened: ['BREAKER_LOSS_STREAK', 'RISK_MAX_TRADE_VALUE'],
        bypassedSecondAdmin: true,
      },
    });
    expect(Object.keys(change!.payload.old as object).sort()).toEqual(['BREAKER_LOSS_STREAK', 'RISK_MAX_TRADE_VALUE']);
    expect(await firingRules(LIMITS_B)).toContain('config_loosened_by_environment');
  });

  it('adds no record when a start has the same settings again', async () => {
    await start(LIMITS_B);
    expect(await changes()).toHaveLength(1);
  });

  it('audits a tightening without flagging it', async () => {
    await start({ ...LIMITS_B, RISK_MAX_TRADE_VALUE: '50000' });
    const last = (await changes()).at(-1)!;
    expect(last).toMatchObject({ severity: 'HIGH', payload: { old: { RISK_MAX_TRADE_VALUE: 500000 }, new: { RISK_MAX_TRADE_VALUE: 50000 }, loosened: [], bypassedSecondAdmin: false } });
  });
});
