/**
 * One porsager pool per process, and the start-up wait for PostgreSQL.
 *
 * @module
 */
import { setTimeout as sleep } from 'node:timers/promises';
import postgres from 'postgres';
import type { DatabaseSettings } from '../config/sections/database.ts';
import { UnavailableError } from '../domain/errors.ts';
import type { Logger } from '../config/logger.ts';

export type Sql = postgres.Sql;
export type TxSql = postgres.TransactionSql;
/** Either the pool or an open transaction: queries that work in both take this. */
export type Queryable = Sql | TxSql;

export interface PoolOptions {
  max: number;
  idleTimeoutS: number;
  connectTimeoutS: number;
  statementTimeoutMs: number;
  applicationName: string;
  /** Called with every statement the pool sends (one round trip each): the benchmarks count them. */
  onStatement?: ((query: string) => void) | undefined;
}

export function poolOptions(database: DatabaseSettings, applicationName: string): PoolOptions {
  return {
    max: database.DB_POOL_MAX,
    idleTimeoutS: database.DB_IDLE_TIMEOUT_S,
    connectTimeoutS: database.DB_CONNECT_TIMEOUT_S,
    statementTimeoutMs: database.DB_STATEMENT_TIMEOUT_MS,
    applicationName,
  };
}

/** int8 columns (paise, sequence numbers) as JS numbers; refuse values past 2^53 rather than round them. */
const int8AsNumber = {
  to: 20,
  from: [20],
  serialize: (v: number | bigint) => String(v),
  parse: (v: string) => {
    const n = Number(v);
    if (!Number.isSafeInteger(n)) throw new RangeError(`int8 value ${v} exceeds the safe integer range`);
    return n;
  },
};

export function createSql(url: string, options: PoolOptions): Sql {
  return postgres(url, {
    max: options.max,
    idle_timeout: options.idleTimeoutS,
    connect_timeout: options.connectTimeoutS,
    connection: {
      application_name: options.applicationName,
      statement_timeout: options.statementTimeoutMs,
      TimeZone: 'UTC',
    },
    types: { int8: int8AsNumber },
    onnotice: () => {},
    ...(options.onStatement ? { debug: (_connection: number, query: string) => options.onStatement!(query) } : {}),
  }) as unknown as Sql;
}

/** Host and port of a URL without its credentials, for messages. */
export function describeUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname}:${u.port || 5432}${u.pathname}`;
  } catch {
    return '(unparseable DATABASE_URL)';
  }
}

/**
 * Wait until PostgreSQL answers, retrying with backoff for up to `waitSeconds`. Fails with a
 * message that says where it looked and what to do, never with the URL's password.
 */
export async function waitForDatabase(sql: Sql, url: string, waitSeconds: number, log: Logger): Promise<void> {
  const deadline = Date.now() + waitSeconds * 1000;
  let delay = 250;
  for (let attempt = 1; ; attempt++) {
    try {
      await sql`select 1`;
      if (attempt > 1) log.info({ attempt }, 'PostgreSQL is reachable');
      return;
    } catch (err) {
      const reason = err instanceof Error ? (('code' in err && String(err.code)) || err.message) : String(err);
      if (Date.now() + delay > deadline) {
        throw new UnavailableError(
          `PostgreSQL at ${describeUrl(url)} is not reachable (${reason}) after ${waitSeconds}s: start it, or set DATABASE_URL to a running server`,
          err,
        );
      }
      log.warn({ attempt, reason, target: describeUrl(url) }, 'PostgreSQL not reachable yet, retrying');
      await sleep(delay);
      delay = Math.min(delay * 2, 5000);
    }
  }
}

/** Readiness: true when a trivial query answers. */
export async function databaseReady(sql: Sql): Promise<boolean> {
  try {
    await sql`select 1`;
    return true;
  } catch {
    return false;
  }
}
