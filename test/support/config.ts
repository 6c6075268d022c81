import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { type Config, loadConfig } from '../../src/config.ts';

/** Settings for a test: market always open, quiet logs, its own data dir and task queue. */
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
    ORDER_POLL_MS: '100',
    PRICE_POLL_MS: '100',
    // Round trips at a flat price lose their charges: a losing-streak cool-down would halt unrelated tests.
    BREAKER_LOSS_STREAK: '0',
    ...overrides,
  });
}
