/**
 * A BreezeClient from the settings: the shared budget (Redis when REDIS_URL is set, else
 * PostgreSQL), the day's session from PostgreSQL, and the security master.
 *
 * @module
 */
import type { Config } from '../../config.ts';
import { BrokerSessionExpiredError } from '../errors.ts';
import type { BrokerSettings } from '../../config/sections/broker.ts';
import type { Sql } from '../../db/pool.ts';
import type { Logger } from '../../config/logger.ts';
import { type BrokerRateLimiter, createRateLimiter } from '../rate-limit/limiter.ts';
import { postgresRateLimitStore } from '../rate-limit/postgres-store.ts';
import { redisRateLimitStore } from '../rate-limit/redis-store.ts';
import { BreezeClient } from './client.ts';
import { loadSecurityMaster } from './security-master.ts';
import { BreezeSessionProvider, type LoginOptions } from './session.ts';
import { decodeSessionToken } from './signing.ts';
import { type BreezeStream, createBreezeStream } from './stream.ts';
import { createTransport } from './transport.ts';

/** Network margin on the per-second window (see RateLimits.secondMs). */
const SECOND_WINDOW_MS = 1_100;

/** The shared broker budget of the settings. */
export function createBrokerRateLimiter(config: Pick<Config, 'broker' | 'redis'>, sql: Sql): BrokerRateLimiter {
  const store = config.redis.REDIS_URL ? redisRateLimitStore(config.redis.REDIS_URL, `${config.redis.REDIS_KEY_PREFIX}broker-rate`) : postgresRateLimitStore(sql);
  return createRateLimiter({
    store,
    limits: { perSecond: config.broker.BROKER_MAX_ORDERS_PER_SECOND, perMinute: config.broker.BROKER_CALLS_PER_MINUTE, perDay: config.broker.BROKER_CALLS_PER_DAY, secondMs: SECOND_WINDOW_MS },
    orderReserve: { perMinute: config.broker.BROKER_ORDER_RESERVE_PER_MINUTE, perDay: config.broker.BROKER_ORDER_RESERVE_PER_DAY },
    maxWaitMs: config.broker.BROKER_RATE_WAIT_MS,
    key: `breeze:${config.broker.BREEZE_APP_KEY ?? ''}`,
  });
}

/** How to reach customerdetails (the login exchange) with these settings. */
export function breezeLoginOptions(broker: BrokerSettings, limiter?: BrokerRateLimiter): LoginOptions {
  return { baseUrl: broker.BREEZE_BASE_URL, appKey: broker.BREEZE_APP_KEY ?? '', timeoutMs: broker.BREEZE_TIMEOUT_MS, limiter };
}

export interface BreezeDeps {
  config: Pick<Config, 'broker' | 'redis'>;
  sql: Sql;
  log?: Logger | undefined;
  /** Defaults to the one of the settings; tests pass their own to share one between clients. */
  limiter?: BrokerRateLimiter;
  now?: () => Date;
}

export function createBreezeClient(deps: BreezeDeps): BreezeClient {
  const { config, sql } = deps;
  const limiter = deps.limiter ?? createBrokerRateLimiter(config, sql);
  const login = breezeLoginOptions(config.broker, limiter);
  const session = new BreezeSessionProvider({ sql, login, apiSession: config.broker.BREEZE_API_SESSION, now: deps.now });
  const call = createTransport({
    baseUrl: config.broker.BREEZE_BASE_URL,
    appKey: config.broker.BREEZE_APP_KEY ?? '',
    secretKey: config.broker.BREEZE_SECRET_KEY ?? '',
    timeoutMs: config.broker.BREEZE_TIMEOUT_MS,
    session,
    limiter,
    log: deps.log,
    now: deps.now,
  });
  return new BreezeClient({
    call,
    securityMaster: () => loadSecurityMaster(config.broker.BREEZE_SECURITY_MASTER),
    now: deps.now,
    budget: () => limiter.remaining(),
    close: deps.limiter ? undefined : () => limiter.close(),
  });
}

/**
 * The worker's Breeze streams (quotes and order notifications) on the settings' URLs, authenticated
 * with the day's stored session, decoded (docs/breeze-api.md#streaming-auth).
 */
export function createBreezeStreams(deps: BreezeDeps & { config: Pick<Config, 'broker' | 'redis' | 'market'>; orderFeed?: boolean }): BreezeStream {
  const { config, sql } = deps;
  const session = new BreezeSessionProvider({ sql, login: breezeLoginOptions(config.broker, deps.limiter), apiSession: config.broker.BREEZE_API_SESSION, now: deps.now });
  return createBreezeStream({
    liveStreamUrl: config.broker.BREEZE_LIVE_STREAM_URL,
    liveFeedsUrl: config.broker.BREEZE_LIVE_FEEDS_URL,
    staleMs: config.market.PRICE_STALE_S * 1000,
    credentials: async () => {
      const decoded = decodeSessionToken((await session.current()).sessionToken);
      if (!decoded) throw new BrokerSessionExpiredError('the stored Breeze session token is not base64 of user:key');
      return { user: decoded.userId, token: decoded.sessionKey };
    },
    securityMaster: () => loadSecurityMaster(config.broker.BREEZE_SECURITY_MASTER),
    orderFeed: deps.orderFeed,
    log: deps.log,
  });
}
