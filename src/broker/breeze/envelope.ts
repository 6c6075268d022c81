/**
 * Breeze's answer, `{ Success, Status, Error }`
 * (docs/breeze-api.md#envelope-and-values, #errors), turned into data
 * or into the broker error the workflow acts on. The SDKs never look at the HTTP status and
 * parse the body; we look at both, because gateway failures arrive as HTML with a 5xx.
 *
 * How each kind maps, and why:
 * - `Status: 200` → the `Success` payload.
 * - "Limit exceed: …" (Status 5) → BrokerUnavailableError: the call was refused before it acted.
 * - checksum/authentication failures and an unknown AppKey → BrokerRejectedError: nothing was
 *   done, and the same request will fail the same way (wrong key, secret or clock).
 * - session texts ("Invalid session.", "Resource not available." on the login exchange, "Invalid
 *   User Details", anything saying the session expired) → BrokerSessionExpiredError.
 * - any other envelope error (Status 500 or 5) → BrokerRejectedError with the server's text.
 * - HTML, an empty body or an ASP.NET exception dump: 429/503 → BrokerUnavailableError (the
 *   gateway turned the call away); other statuses → for an order action
 *   BrokerOutcomeUnknownError (a 502/504 gateway may have forwarded it), for a read
 *   BrokerUnavailableError.
 *
 * @module
 */
import { BrokerOutcomeUnknownError, BrokerRejectedError, BrokerSessionExpiredError, BrokerUnavailableError } from '../errors.ts';
import type { CallEffect } from './http.ts';

export interface BreezeEnvelope {
  Success?: unknown;
  Status: number;
  Error?: string | null;
}

/** What a call was, for error messages and for deciding what an unclear answer means. */
export interface CallContext {
  endpoint: string;
  effect: CallEffect;
  /** customerdetails speaks of the API session, not of the session token. */
  login?: boolean;
}

const SESSION_TEXTS = [/^invalid session\.?$/i, /invalid user details/i, /session\s*(key|token)?\s*(is\s*)?(expired|invalid)/i];

/** "Resource not available." means an expired API session on the login exchange (docs/breeze-api.md#session), not elsewhere (docs/breeze-api.md#errors). */
const LOGIN_EXPIRED = /^resource not available\.?$/i;

/**
 * The payload of a successful answer, or the typed error of a failed one.
 *
 * @example
 * parseAnswer(200, '{"Success":{"order_id":"1"},"Status":200,"Error":null}', { endpoint: 'order', effect: 'write' })
 * // { order_id: '1' }
 */
export function parseAnswer(httpStatus: number, text: string, context: CallContext): unknown {
  const envelope = asEnvelope(text);
  if (!envelope) return unclear(httpStatus, text, context);
  if (envelope.Status === 200 && (envelope.Error === null || envelope.Error === undefined || envelope.Error === '')) return envelope.Success ?? null;
  throw envelopeError(envelope, context);
}

/** The typed error of an envelope that is not a success. */
export function envelopeError(envelope: BreezeEnvelope, context: CallContext): Error {
  const text = String(envelope.Error ?? `Status ${envelope.Status}`).trim();
  const where = context.endpoint;
  if (/^limit exceed/i.test(text)) {
    const perDay = /per day/i.test(text);
    return new BrokerUnavailableError(`${where}: Breeze rate limit (${text})`, undefined, perDay ? 3600 : /per minute/i.test(text) ? 60 : 1);
  }
  if (/^public key does not exist/i.test(text)) return new BrokerRejectedError(`${where}: ${text} (check BREEZE_APP_KEY)`);
  if (/authentication fail/i.test(text)) return new BrokerRejectedError(`${where}: ${text} (check BREEZE_SECRET_KEY and the clock)`);
  if (SESSION_TEXTS.some((p) => p.test(text)) || (context.login && LOGIN_EXPIRED.test(text))) {
    return new BrokerSessionExpiredError(`${where}: ${text}`);
  }
  return new BrokerRejectedError(`${where}: ${text}`);
}

function asEnvelope(text: string): BreezeEnvelope | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null || !('Status' in parsed)) return undefined;
  const status = Number((parsed as { Status: unknown }).Status);
  if (!Number.isFinite(status)) return undefined;
  return { ...(parsed as BreezeEnvelope), Status: status };
}

/** A body that is not an envelope: an outage page, an empty answer, a server exception. */
function unclear(httpStatus: number, text: string, context: CallContext): never {
  const what = `${context.endpoint}: HTTP ${httpStatus} without a Breeze envelope (${summary(text)})`;
  if (httpStatus === 429 || httpStatus === 503) throw new BrokerUnavailableError(what, undefined, httpStatus === 429 ? 2 : 5);
  if (context.effect === 'write') throw new BrokerOutcomeUnknownError(what);
  throw new BrokerUnavailableError(what);
}

/** A short, single-line excerpt of a body for messages (HTML pages can be long). */
function summary(text: string): string {
  const flat = text.replace(/<[^>]*>/g, ' ').replace(/\s+/g, ' ').trim();
  if (!flat) return 'empty body';
  return flat.length > 120 ? `${flat.slice(0, 120)}…` : flat;
}
