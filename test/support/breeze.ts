/**
 * The Breeze emulator the tests start (one helper, so every test reaches it with the same
 * settings), and a Breeze client against it with a database of its own: what the Breeze
 * integration tests share.
 */
import { randomBytes } from 'node:crypto';
import { createBreezeClient } from '../../src/broker/breeze/create.ts';
import type { BreezeClient } from '../../src/broker/breeze/client.ts';
import { startBreezeEmulator } from '../../tools/breeze-emulator/server.ts';
import type { BreezeEmulator, BreezeEmulatorOptions } from '../../tools/breeze-emulator/types.ts';
import type { Config } from '../../src/config.ts';
import type { Instrument } from '../../src/domain/trade.ts';
import { testConfig } from './config.ts';
import { createTestDatabase, type TestDatabase } from './db.ts';
import { silentLogger } from './logger.ts';

export const RELIANCE: Instrument = { symbol: 'RELIANCE', exchange: 'NSE', product: 'CASH' };

export interface BreezeHarness {
  emulator: BreezeEmulator;
  db: TestDatabase;
  config: Config;
  client: BreezeClient;
  /** Another client on the same settings, as a second worker would build it. */
  clientWith(settings?: Record<string, string>): BreezeClient;
  stop(): Promise<void>;
}

export interface StartedEmulator {
  emulator: BreezeEmulator;
  /** The settings that point a Breeze client and its streams at the emulator. */
  settings: Record<string, string>;
}

/** A Breeze emulator on free ports with an app key of its own, and the settings that reach it. */
export async function startEmulator(options: Partial<BreezeEmulatorOptions> = {}): Promise<StartedEmulator> {
  const appKey = options.appKey ?? `app-${randomBytes(4).toString('hex')}`;
  const secretKey = options.secretKey ?? 'emulator-secret';
  const emulator = await startBreezeEmulator({ ...options, appKey, secretKey });
  return {
    emulator,
    settings: {
      BROKER: 'breeze',
      BREEZE_APP_KEY: appKey,
      BREEZE_SECRET_KEY: secretKey,
      BREEZE_API_SESSION: emulator.apiSession,
      BREEZE_BASE_URL: emulator.url,
      BREEZE_LIVE_STREAM_URL: emulator.liveStreamUrl,
      BREEZE_LIVE_FEEDS_URL: emulator.liveFeedsUrl,
      BREEZE_TIMEOUT_MS: '2000',
    },
  };
}

export async function startBreezeHarness(options: { settings?: Record<string, string>; emulator?: Partial<BreezeEmulatorOptions> } = {}): Promise<BreezeHarness> {
  const { emulator, settings: reach } = await startEmulator(options.emulator);
  const db = await createTestDatabase();
  const settings = (extra: Record<string, string> = {}) => testConfig({ DATABASE_URL: db.url, ...reach, BREEZE_TIMEOUT_MS: '1000', ...options.settings, ...extra });
  const config = settings();
  const clients: BreezeClient[] = [];
  const make = (extra?: Record<string, string>) => {
    const client = createBreezeClient({ config: settings(extra), sql: db.sql, log: silentLogger });
    clients.push(client);
    return client;
  };
  return {
    emulator,
    db,
    config,
    client: make(),
    clientWith: make,
    async stop() {
      await Promise.all(clients.map((c) => c.close()));
      await emulator.stop();
      await db.drop();
    },
  };
}

/** A unique tag, as the trade workflow makes them (≤ 20 characters). */
export function newTag(): string {
  return `t${randomBytes(8).toString('hex')}E1`.slice(0, 20);
}
