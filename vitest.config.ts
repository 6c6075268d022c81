import { defineConfig } from 'vitest/config';

// One Temporal dev server and one PostgreSQL for the whole run (global setup, shared by both
// projects); each test file gets its own database and task queue. Forks, never threads: the
// Temporal core is a native module (sdk-typescript #876).
//
// Two projects: `paper` runs every file with the stack trading on the paper exchange; `breeze`
// runs the files that trade through the stack's broker again with the stack trading through a
// Breeze emulator of its own, prices streamed over Socket.IO (TEST_BROKER, test/support/stack.ts).

/** Integration and e2e files that do not trade through the stack's broker, or only on one broker: run once, in `paper`. */
const ONE_BROKER_ONLY = [
  'test/integration/alert-delivery.test.ts', // alert channels; no trading
  'test/integration/api-rate-limit-store.test.ts', // the API rate-limit store; no broker
  'test/integration/alert-telegram.test.ts', // the Telegram alert channel; no trading
  'test/integration/audit-chain.test.ts', // the audit chain in the database; no broker
  'test/integration/postgres-driver.test.ts', // the database driver as patched; no broker
  'test/integration/audit-group-seal.test.ts', // the audit chain's group sealing; no broker
  'test/integration/backup-*.test.ts', // backups and restores; no trading through the broker
  'test/integration/breeze-*.test.ts', // Breeze's own tests: they start an emulator of their own whatever TEST_BROKER says
  'test/integration/broker-session.test.ts', // Breeze's session; a stack on an emulator of its own whatever TEST_BROKER says
  'test/integration/config-changes.test.ts', // settings compared at start in the database; no broker
  'test/integration/entry-in-task.test.ts', // time-skipping server with activity stubs; no broker
  'test/integration/embedded-postgres.test.ts', // the launcher's PostgreSQL; no broker
  'test/integration/end-with-parent.test.ts', // process supervision; no broker
  'test/integration/exit-book-thread.test.ts', // the main thread kept busy, which the Breeze emulator's stream shares
  'test/integration/fault-answers.test.ts', // PostgreSQL and Temporal faults with infrastructure of its own; the broker plays no part
  'test/integration/market-prices.test.ts', // the last-price table's writers; no broker
  'test/integration/market-calendar.test.ts', // the calendar is decided in the risk check, before any broker is asked (paper runs on the test's clock)
  'test/integration/migrations.test.ts', // the schema; no broker
  'test/integration/paper-exchange.test.ts', // the paper exchange itself
  'test/integration/paper-order-changes.test.ts', // the paper exchange's order notices
  'test/integration/pitr.test.ts', // point-in-time recovery drill; no broker
  'test/integration/price-feed.test.ts', // already tests both brokers' feeds side by side
  'test/integration/retention.test.ts', // retention jobs; no trading
  'test/integration/timers.test.ts', // time-skipping server with activity stubs; no broker
  'test/integration/workflow-stack-traces.test.ts', // a worker setting of the SDK's; the broker plays no part
];

/** E2e files that trade through the stack's broker (the rest of test/e2e is HTTP, auth and processes). */
const E2E_TRADING = ['test/e2e/trade-lifecycle.test.ts', 'test/e2e/webhooks.test.ts'];

const shared = {
  pool: 'forks' as const,
  globalSetup: ['test/support/global-setup.ts'],
  setupFiles: ['test/support/setup-file.ts'],
  testTimeout: 60_000,
  hookTimeout: 180_000,
  teardownTimeout: 60_000,
};

export default defineConfig({
  test: {
    maxWorkers: 2,
    reporters: process.env.VITEST_JSON_REPORT ? ['default', ['json', { outputFile: process.env.VITEST_JSON_REPORT }]] : ['default'],
    projects: [
      { test: { ...shared, name: 'paper', include: ['test/**/*.test.ts'], env: { TEST_BROKER: 'paper' } } },
      { test: { ...shared, name: 'breeze', include: ['test/integration/**/*.test.ts', ...E2E_TRADING], exclude: ONE_BROKER_ONLY, env: { TEST_BROKER: 'breeze' } } },
    ],
  },
});
