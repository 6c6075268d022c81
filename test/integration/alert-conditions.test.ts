import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alertActivities } from '../../src/activities/alerts.ts';
import { BrokerSessionExpiredError, BrokerUnavailableError } from '../../src/broker/errors.ts';
import { createBrokerRateLimiter } from '../../src/broker/breeze/create.ts';
import { transaction } from '../../src/db/transaction.ts';
import { createBrokerMetrics } from '../../src/observability/broker-metrics.ts';
import { createMetrics } from '../../src/observability/metrics.ts';
import { startProcessMonitoring } from '../../src/observability/process-monitoring.ts';
import { startBreezeHarness } from '../support/breeze.ts';
import { silentLogger } from '../support/logger.ts';
import { eventually } from '../support/receivers.ts';
import { ownAccountId, startStack, type TestStack } from '../support/stack.ts';
import { enter, market } from '../support/trading.ts';

// Each built-in rule that reads the database, driven by the real condition in PostgreSQL and
// evaluated by the evaluator's activity (called directly, with a clock of its own).
let stack: TestStack;
let clock = new Date();
let activities: ReturnType<typeof alertActivities>;
const reliance = { symbol: 'RELIANCE', exchange: 'NSE', product: 'CASH' } as const;

beforeAll(async () => {
  stack = await startStack({ settings: { ACCOUNT_ID: ownAccountId(), ALERT_CHANNELS: 'log', ALERT_RULES: JSON.stringify(['cpu_high', 'memory_high', 'disk_low'].map((id) => ({ id, disabled: true }))) } });
  activities = alertActivities({ config: stack.config, sql: stack.db.sql, broker: stack.broker, prices: stack.prices, audit: stack.audit, log: silentLogger, temporal: stack.client, breaker: undefined as never, trades: undefined as never, now: () => clock });
});
afterAll(async () => stack?.stop());

const firing = async () =>
  (await stack.db.sql<{ rule: string; key: string }[]>`select rule_id as rule, alert_key as key from alert_events where status = 'FIRING' order by id`).map((r) => r.key);

describe('database-driven alert conditions', () => {
  it('fires daily loss, reconciliation, broken audit chain, failed and stale backups, broker errors and an expired session', async () => {
    const admin = (await stack.login()).accessToken;
    const trader = (await stack.userWithRole('trader')).accessToken;

    // Daily loss: a ₹100 limit (tightening applies at once) and a position ₹150 down.
    expect((await stack.request('/risk/limits', { method: 'PUT', token: admin, body: JSON.stringify({ dailyLossLimit: 100 }) })).status).toBe(200);
    await stack.market.setQuote(reliance, 245000);
    // A far stop-loss: the trade then watches (and records) the price.
    expect((await enter(stack, trader, market('RELIANCE', { stopLoss: 2000 }), 'conditions-0001')).status).toBe(201);
    const recorded = async (pricePaise: number) => {
      const [p] = await stack.db.sql<{ price: number }[]>`select price_paise as price from market_prices where instrument_key like 'NSE:RELIANCE:%'`;
      return p?.price === pricePaise;
    };
    await eventually(() => recorded(245000), 20_000, 'the entry price seen by the position');
    // The watcher records a price at most once a second (src/activities/exit-triggers.ts), and Breeze
    // streams a price only when it changes: a move within that second would not be recorded yet.
    await new Promise((r) => setTimeout(r, 1100));
    await stack.market.setQuote(reliance, 243500);
    await eventually(() => recorded(243500), 20_000, 'the new price seen by the position');

    // Reconciliation: a mismatch audited and not resolved.
    await transaction(stack.db.sql, (tx) => stack.audit.append(tx, { type: 'RECONCILIATION_MISMATCH', actor: { type: 'system', id: 'reconciler' }, accountId: stack.config.account.ACCOUNT_ID, payload: { symbol: 'RELIANCE', ours: 10, broker: 0 } }));

    // Audit chain: a record altered behind the application's back (as a superuser, triggers off).
    await stack.db.admin.begin(async (tx) => {
      await tx`alter table audit_events disable trigger audit_events_no_update_delete`;
      await tx`update audit_events set payload = '{"tampered": true}' where seq = 1`;
      await tx`alter table audit_events enable trigger audit_events_no_update_delete`;
    });
    expect(await activities.verifyAuditChain()).toMatchObject({ ok: false });

    // Backups: an install two days old whose registry holds only a failed daily backup (a new
    // install is not stale before its first run was due).
    await stack.db.sql`update schema_migrations set applied_at = now() - interval '2 days'`;
    await stack.db.sql`insert into backups (id, kind, status, directory, started_at, finished_at, error)
      values ('daily-test-1', 'daily', 'FAILED', '/nowhere', now() - interval '1 hour', now(), 'disk full')`;

    // Broker: a worker saw six failures in a row, the last one an expired session.
    const brokerMetrics = createBrokerMetrics(createMetrics('worker-test').registry, stack.broker.name);
    for (let i = 0; i < 5; i++) brokerMetrics.record('getOrder', 0.05, new BrokerUnavailableError('timeout'));
    brokerMetrics.record('placeOrder', 0.05, new BrokerSessionExpiredError('session expired'));
    const heartbeat = startProcessMonitoring({ sql: stack.db.sql, config: stack.config, log: silentLogger, kind: 'worker', metrics: createMetrics('worker-test-2'), broker: { name: stack.broker.name, metrics: brokerMetrics } });
    await heartbeat.beat();
    await heartbeat.stop();

    clock = new Date();
    const first = await activities.evaluateAlerts();
    const key = (rule: string, labels = '') => `${rule}${labels}`;
    const account = `{account="${stack.config.account.ACCOUNT_ID}"}`;
    expect(await firing()).toEqual(
      expect.arrayContaining([
        key('daily_loss_near_limit', account),
        key('reconciliation_mismatch'),
        key('audit_chain_broken'),
        key('backup_failed', '{kind="daily"}'),
        key('backup_stale', '{kind="daily"}'),
        key('broker_session_expired'),
      ]),
    );
    expect(first.notifications.map((n) => n.ruleId)).toContain('broker_session_expired');
    // The error rate must hold for a minute before it fires.
    expect(await firing()).not.toContain('broker_error_rate');
    clock = new Date(clock.getTime() + 61_000);
    await activities.evaluateAlerts();
    expect(await firing()).toContain('broker_error_rate');

    // Deduplicated: another evaluation adds nothing while the conditions hold.
    const before = (await firing()).length;
    clock = new Date(clock.getTime() + 30_000);
    await activities.evaluateAlerts();
    expect(await firing()).toHaveLength(before);

    // The P&L samples the console draws were taken on each evaluation.
    const samples = await stack.db.sql<{ n: number }[]>`select count(*)::int as n from pnl_samples where account_id = ${stack.config.account.ACCOUNT_ID}`;
    expect(samples[0]!.n).toBe(3);
  });

  it("warns when the Breeze daily call budget runs low, before polls and then orders stop", async () => {
    // A real Breeze client (against the emulator) whose budget of the day is nearly spent.
    const breeze = await startBreezeHarness({ settings: { BROKER_CALLS_PER_DAY: '1010', BROKER_CALLS_PER_MINUTE: '100000', BROKER_ORDER_RESERVE_PER_DAY: '10' } });
    try {
      const limiter = createBrokerRateLimiter(breeze.config, breeze.db.sql);
      for (let i = 0; i < 10; i++) await limiter.acquire('read');
      const config = { ...stack.config, broker: { ...stack.config.broker, BROKER_CALLS_PER_DAY: 1010 } };
      const evaluator = alertActivities({ config, sql: stack.db.sql, broker: breeze.client, prices: stack.prices, audit: stack.audit, log: silentLogger, temporal: stack.client, breaker: undefined as never, trades: undefined as never, now: () => clock });
      clock = new Date(clock.getTime() + 1000);
      await evaluator.evaluateAlerts();
      // 1000 left of 1010: more than a fifth, no alert yet; 200 left is less.
      expect((await firing()).filter((k) => k.startsWith('broker_budget_low'))).toEqual([]);
      for (let i = 0; i < 800; i += 100) await Promise.all(Array.from({ length: 100 }, () => limiter.acquire('read')));
      clock = new Date(clock.getTime() + 1000);
      await evaluator.evaluateAlerts();
      expect(await firing()).toContain('broker_budget_low{broker="breeze",window="day"}');
    } finally {
      await breeze.stop();
    }
  });
});
