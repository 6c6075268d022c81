/**
 * One signed Breeze call, end to end: take a slot from the shared budget, sign with the day's
 * session, send, read the envelope. A session Breeze refuses is marked expired for every worker;
 * when another worker (or the operator) has stored a newer one meanwhile, the call is made once
 * more with it: a refused session means nothing was done, so this cannot send anything twice.
 *
 * @module
 */
import type { Logger } from '../../config/logger.ts';
import { BrokerSessionExpiredError } from '../errors.ts';
import type { BrokerRateLimiter } from '../rate-limit/limiter.ts';
import { parseAnswer } from './envelope.ts';
import { breezeHttp, type CallEffect, type HttpMethod } from './http.ts';
import type { BreezeSessionProvider } from './session.ts';
import { signedHeaders } from './signing.ts';

export interface TransportOptions {
  baseUrl: string;
  appKey: string;
  secretKey: string;
  timeoutMs: number;
  session: BreezeSessionProvider;
  limiter: BrokerRateLimiter;
  log?: Logger | undefined;
  now?: () => Date;
}

export type BreezeCall = (method: HttpMethod, endpoint: string, body: Record<string, unknown>, effect: CallEffect) => Promise<unknown>;

export function createTransport(options: TransportOptions): BreezeCall {
  const now = options.now ?? (() => new Date());
  const once = async (method: HttpMethod, endpoint: string, payload: string, effect: CallEffect, sessionToken: string) => {
    await options.limiter.acquire(effect);
    const response = await breezeHttp({
      method,
      url: new URL(endpoint, options.baseUrl).toString(),
      headers: signedHeaders({ appKey: options.appKey, secretKey: options.secretKey, sessionToken }, payload, now()),
      body: payload,
      timeoutMs: options.timeoutMs,
      effect,
    });
    return parseAnswer(response.status, response.text, { endpoint: `${method} ${endpoint}`, effect });
  };

  return async (method, endpoint, body, effect) => {
    // serialised once: the checksum is over these exact bytes (docs/breeze-api.md#request-signing)
    const payload = JSON.stringify(body);
    const session = await options.session.current();
    try {
      return await once(method, endpoint, payload, effect, session.sessionToken);
    } catch (err) {
      if (!(err instanceof BrokerSessionExpiredError)) throw err;
      await options.session.expired(session.sessionToken);
      options.log?.warn({ endpoint, tradingDay: session.tradingDay }, 'Breeze refused the session; looking for a newer one');
      const fresh = await options.session.current(); // throws BrokerSessionExpiredError when there is none
      if (fresh.sessionToken === session.sessionToken) throw err;
      return once(method, endpoint, payload, effect, fresh.sessionToken);
    }
  };
}
