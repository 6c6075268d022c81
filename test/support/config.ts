import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { type Config, loadConfig } from '../../src/config.ts';
import { generateDevSecrets, loadOrCreateDevSecrets } from '../../src/config/dev-secrets.ts';

/** Settings from `env` alone, with throwaway development secrets (nothing is written). */
export function parseSettings(env: Record<string, string | undefined>): Config {
  return loadConfig(env, { devSecrets: generateDevSecrets });
}

/**
 * Settings for a test: market always open, quiet logs, its own data dir and task queue. Its
 * secrets are its data dir's, as for an entry point: a worker process started on the same data
 * dir (test/support/worker-process.ts) gets the same ones.
 */
export function testConfig(overrides: Record<string, string> = {}): Config {
  return loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    MARKET_HOURS: 'always',
    PAPER_RANDOM_WALK: 'false',
    DATA_DIR: mkdtempSync(path.join(tmpdir(), 'bt-data-')),
    TEMPORAL_TASK_QUEUE: `test-${randomBytes(5).toString('hex')}`,
    // Its own account: workflow ids (trades, the circuit breaker) never meet another test's on the shared server.
    ACCOUNT_ID: `acct-${randomBytes(4).toString('hex')}`,
    TRADE_ACK_WAIT_MS: '3000',
    PRICE_STALE_S: '10',
    // Round trips at a flat price lose their charges: a losing-streak cool-down would halt unrelated tests.
    BREAKER_LOSS_STREAK: '0',
    // Each login of the enrolled admin takes a later 30 s step (replays are refused): room for several a minute.
    TOTP_DRIFT_STEPS: '10',
    ...overrides,
  }, { devSecrets: loadOrCreateDevSecrets });
}
