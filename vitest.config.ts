import { defineConfig } from 'vitest/config';

// One Temporal dev server and one PostgreSQL for the whole run (global setup); each test file gets
// its own database and task queue. Forks, never threads: the Temporal core is a native module
// (sdk-typescript #876).
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    pool: 'forks',
    maxWorkers: 2,
    globalSetup: ['test/support/global-setup.ts'],
    setupFiles: ['test/support/setup-file.ts'],
    testTimeout: 60_000,
    hookTimeout: 180_000,
    teardownTimeout: 60_000,
    reporters: process.env.VITEST_JSON_REPORT ? ['default', ['json', { outputFile: process.env.VITEST_JSON_REPORT }]] : ['default'],
  },
});
