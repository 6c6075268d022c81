/**
 * One HTTP exchange with Breeze, over `node:http`/`node:https` rather than fetch: Breeze puts JSON
 * bodies on GET and DELETE (docs/breeze-api.md#transport), which WHATWG fetch refuses.
 *
 * Two transport choices matter for "an order reaches the broker at most once":
 * - IPv4 only (`family: 4`): orders are accepted only from the static IP registered with the key
 *   (docs/breeze-api.md#regulatory-restrictions), and the official Python SDK pins IPv4 for the same
 *   reason (docs/breeze-api.md#hosts).
 * - No keep-alive: a request written to a pooled socket the server has just closed fails with a
 *   reset that cannot be told apart from a reset after the server acted on it. A fresh connection
 *   per call makes "was it written?" answerable; at ≤ 100 calls a minute the handshake is cheap.
 *
 * Failures become the broker errors the workflow acts on: nothing written (refused, DNS, timeout
 * before connecting) is BrokerUnavailableError; a failure after the request was written is
 * BrokerOutcomeUnknownError for a call with an effect, and BrokerUnavailableError for a read.
 *
 * @module
 */
import http from 'node:http';
import https from 'node:https';
import { BrokerOutcomeUnknownError, BrokerUnavailableError } from '../errors.ts';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';

/** Whether a call can change anything at the broker (order actions) or only reads. */
export type CallEffect = 'read' | 'write';

export interface BreezeHttpRequest {
  method: HttpMethod;
  url: string;
  headers: Record<string, string>;
  /** Sent byte for byte: it is the string the checksum was computed over. */
  body: string;
  timeoutMs: number;
  effect: CallEffect;
}

export interface BreezeHttpResponse {
  status: number;
  contentType: string;
  text: string;
}

/** Larger answers are not Breeze's: refuse them rather than buffer without bound. */
const MAX_RESPONSE_BYTES = 16 * 1024 * 1024;

class RequestTimeout extends Error {
  constructor(ms: number) {
    super(`no answer within ${ms} ms`);
  }
}

/**
 * Send one request and read the whole answer, whatever its status.
 *
 * @example
 * const res = await breezeHttp({ method: 'GET', url: 'https://api.icicidirect.com/breezeapi/api/v1/funds',
 *   headers, body: '{}', timeoutMs: 10_000, effect: 'read' });
 */
export function breezeHttp(request: BreezeHttpRequest): Promise<BreezeHttpResponse> {
  const url = new URL(request.url);
  const client = url.protocol === 'https:' ? https : http;
  const payload = Buffer.from(request.body, 'utf8');
  const where = `${request.method} ${url.pathname}`;
  return new Promise((resolve, reject) => {
    let connected = false;
    let written = false;
    let done = false;
    const finish = (fn: () => void) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      fn();
    };
    const fail = (err: unknown) =>
      finish(() => {
        const reason = err instanceof RequestTimeout ? err.message : describe(err);
        if (!connected || !written) reject(new BrokerUnavailableError(`${where}: ${reason} (not sent)`, err));
        else if (request.effect === 'write') reject(new BrokerOutcomeUnknownError(`${where}: ${reason} after the request was sent`, err));
        else reject(new BrokerUnavailableError(`${where}: ${reason}`, err));
      });

    const req = client.request({
      protocol: url.protocol,
      hostname: url.hostname,
      port: url.port || undefined,
      path: `${url.pathname}${url.search}`,
      method: request.method,
      family: 4,
      agent: false,
      headers: { ...request.headers, 'Content-Length': String(payload.length), Connection: 'close' },
    });
    const timer = setTimeout(() => req.destroy(new RequestTimeout(request.timeoutMs)), request.timeoutMs);
    req.on('socket', (socket) => {
      socket.once(url.protocol === 'https:' ? 'secureConnect' : 'connect', () => {
        connected = true;
      });
    });
    req.on('finish', () => {
      written = true;
    });
    req.on('error', fail);
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > MAX_RESPONSE_BYTES) req.destroy(new Error(`answer larger than ${MAX_RESPONSE_BYTES} bytes`));
        else chunks.push(chunk);
      });
      res.on('error', fail);
      res.on('close', () => {
        if (!res.complete) fail(new Error('answer cut off'));
      });
      res.on('end', () =>
        finish(() =>
          resolve({
            status: res.statusCode ?? 0,
            contentType: String(res.headers['content-type'] ?? ''),
            text: Buffer.concat(chunks).toString('utf8'),
          }),
        ),
      );
    });
    req.end(payload);
  });
}

/** A network error's code (ECONNREFUSED, ENOTFOUND, ECONNRESET…) or message; never the request. */
function describe(err: unknown): string {
  if (err instanceof Error) return ('code' in err && typeof err.code === 'string' && err.code) || err.message;
  return String(err);
}
