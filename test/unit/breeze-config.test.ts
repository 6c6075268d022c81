import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/config.ts';
import { parseSettings } from '../support/config.ts';

describe('Breeze settings', () => {
  it('refuses BROKER=breeze without the app key and secret, naming both', () => {
    const err = (() => {
      try {
        parseSettings({ BROKER: 'breeze' });
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).issues.map((i) => i.variable)).toEqual(['BREEZE_APP_KEY', 'BREEZE_SECRET_KEY']);
  });

  it('defaults to the live Breeze v1 URL and the broker limits, and keeps a trailing slash on the base URL', () => {
    const config = parseSettings({ BROKER: 'breeze', BREEZE_APP_KEY: 'k', BREEZE_SECRET_KEY: 's', BREEZE_BASE_URL: 'http://127.0.0.1:8790/breezeapi/api/v1' });
    expect(config.broker.BREEZE_BASE_URL).toBe('http://127.0.0.1:8790/breezeapi/api/v1/');
    expect(parseSettings({}).broker.BREEZE_BASE_URL).toBe('https://api.icicidirect.com/breezeapi/api/v1/');
    expect([config.broker.BROKER_MAX_ORDERS_PER_SECOND, config.broker.BROKER_CALLS_PER_MINUTE, config.broker.BROKER_CALLS_PER_DAY]).toEqual([10, 100, 5000]);
  });

  it('refuses an order rate above the 10 a second Breeze and NSE allow unregistered algos', () => {
    expect(() => parseSettings({ BROKER_MAX_ORDERS_PER_SECOND: '11' })).toThrow(ConfigError);
  });

  it('refuses an order reserve that would leave polls and quotes no budget at all', () => {
    const breeze = { BROKER: 'breeze', BREEZE_APP_KEY: 'k', BREEZE_SECRET_KEY: 's' };
    expect(() => parseSettings({ ...breeze, BROKER_CALLS_PER_MINUTE: '20' })).toThrow(/BROKER_ORDER_RESERVE_PER_MINUTE.*must be below BROKER_CALLS_PER_MINUTE/s);
    expect(parseSettings({ ...breeze, BROKER_CALLS_PER_MINUTE: '21' }).broker.BROKER_ORDER_RESERVE_PER_MINUTE).toBe(20);
  });
});
