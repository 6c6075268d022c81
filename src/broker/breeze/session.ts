/**
 * The Breeze session of the day (docs/breeze-api.md#session). An operator logs in to ICICI in a
 * browser once a day and gets an API_Session; `customerdetails` exchanges it for the session token
 * every signed call carries. The token is stored per IST trading day in PostgreSQL, so one
 * exchange serves every worker, and a worker that meets an expired session reloads whatever the
 * operator set since.
 *
 * `setBreezeSession` is what the API or a CLI calls with the day's API_Session.
 *
 * @module
 */
import type { Sql, TxSql } from '../../db/pool.ts';
import { transaction } from '../../db/transaction.ts';
import { expireBreezeSession, loadBreezeSession, saveBreezeSession, saveBreezeSessionIfAbsent, type StoredBreezeSession } from '../../db/breeze-sessions.ts';
import { istParts } from '../../domain/market-calendar.ts';
import { BrokerSessionExpiredError, BrokerUnavailableError } from '../errors.ts';
import type { BrokerRateLimiter } from '../rate-limit/limiter.ts';
import { parseAnswer } from './envelope.ts';
import { breezeHttp } from './http.ts';
import { type CustomerDetailsRow, customerDetailsRow } from './rows.ts';
import { decodeSessionToken } from './signing.ts';

export interface LoginOptions {
  baseUrl: string;
  appKey: string;
  timeoutMs: number;
  limiter?: BrokerRateLimiter | undefined;
}

export interface ExchangedSession {
  sessionToken: string;
  userId: string;
  details: CustomerDetailsRow;
}

/**
 * Exchange an API_Session for the session token: `GET customerdetails` with the JSON body
 * `{SessionToken, AppKey}` and no checksum (docs/breeze-api.md#session).
 */
export async function exchangeApiSession(options: LoginOptions, apiSession: string): Promise<ExchangedSession> {
  await options.limiter?.acquire('read');
  const response = await breezeHttp({
    method: 'GET',
    url: new URL('customerdetails', options.baseUrl).toString(),
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ SessionToken: apiSession, AppKey: options.appKey }),
    timeoutMs: options.timeoutMs,
    effect: 'read',
  });
  const payload = parseAnswer(response.status, response.text, { endpoint: 'customerdetails', effect: 'read', login: true });
  const parsed = customerDetailsRow.safeParse(payload);
  if (!parsed.success) throw new BrokerUnavailableError('customerdetails: answer without a session token');
  const decoded = decodeSessionToken(parsed.data.session_token);
  if (!decoded) throw new BrokerUnavailableError('customerdetails: session token is not base64 of user:key');
  return { sessionToken: parsed.data.session_token, userId: parsed.data.idirect_userid ?? decoded.userId, details: parsed.data };
}

/** The IST trading day an instant belongs to (sessions end at IST midnight, docs/breeze-api.md#session). */
export function sessionDay(at: Date): string {
  return istParts(at).date;
}

/** Who is logged in for which IST day: what may be shown and audited (never the token). */
export interface SessionSet {
  tradingDay: string;
  userId: string;
}

/**
 * Set the day's session from a fresh API_Session: exchange it (so a typo fails here, not on the
 * first order) and store it for every worker. Returns who is logged in, never the token.
 * `record` runs in the transaction that stores it (its audit record, invariant 3).
 */
export async function setBreezeSession(sql: Sql, options: LoginOptions, apiSession: string, now = new Date(), record?: (tx: TxSql, set: SessionSet) => Promise<unknown>): Promise<SessionSet> {
  const exchanged = await exchangeApiSession(options, apiSession);
  const set: SessionSet = { tradingDay: sessionDay(now), userId: exchanged.userId };
  await transaction(sql, async (tx) => {
    await saveBreezeSession(tx, { ...set, apiSession, sessionToken: exchanged.sessionToken });
    await record?.(tx, set);
  });
  return set;
}

export interface SessionProviderOptions {
  sql: Sql;
  login: LoginOptions;
  /** BREEZE_API_SESSION: exchanged when the day has no stored session yet. */
  apiSession?: string | undefined;
  now?: () => Date;
}

/** The token to sign with, kept in memory for the day and shared through PostgreSQL. */
export class BreezeSessionProvider {
  private readonly options: SessionProviderOptions;
  private readonly now: () => Date;
  private cached: StoredBreezeSession | undefined;
  private configRefusedOn: string | undefined;

  constructor(options: SessionProviderOptions) {
    this.options = options;
    this.now = options.now ?? (() => new Date());
  }

  /** The day's session; throws BrokerSessionExpiredError when none is set. */
  async current(): Promise<StoredBreezeSession> {
    const day = sessionDay(this.now());
    if (this.cached?.tradingDay === day) return this.cached;
    let stored = await loadBreezeSession(this.options.sql, day);
    if (!stored && this.options.apiSession) stored = await this.fromConfig(day, this.options.apiSession);
    if (!stored) throw new BrokerSessionExpiredError(`no Breeze session for ${day}: log in to ICICI and set the day's API session`);
    this.cached = stored;
    return stored;
  }

  /** Breeze refused `sessionToken`: forget it, and mark it expired for the other workers. */
  async expired(sessionToken: string): Promise<void> {
    const day = sessionDay(this.now());
    if (this.cached?.sessionToken === sessionToken) this.cached = undefined;
    await expireBreezeSession(this.options.sql, day, sessionToken);
  }

  private async fromConfig(day: string, apiSession: string): Promise<StoredBreezeSession | undefined> {
    // a configured API_Session is good for one day; once Breeze refused it, do not spend the
    // call budget asking again on every call
    if (this.configRefusedOn === day) return undefined;
    try {
      const exchanged = await exchangeApiSession(this.options.login, apiSession);
      // two workers starting together may both exchange; the first stored wins and both use it
      return await saveBreezeSessionIfAbsent(this.options.sql, { tradingDay: day, apiSession, sessionToken: exchanged.sessionToken, userId: exchanged.userId });
    } catch (err) {
      if (err instanceof BrokerSessionExpiredError) {
        this.configRefusedOn = day;
        return undefined;
      }
      throw err;
    }
  }
}
