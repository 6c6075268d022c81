/**
 * A signed call to the Breeze emulator straight on the wire, as an SDK sends it, for tests of the
 * emulator itself (no product client in between).
 */
import { breezeHttp, type HttpMethod } from '../../src/broker/breeze/http.ts';
import { breezeTimestamp, checksum } from '../../src/broker/breeze/signing.ts';
import type { BreezeEmulator } from '../../tools/breeze-emulator/types.ts';

export interface WireKeys {
  appKey: string;
  secretKey: string;
  sessionToken: string;
}

export interface Envelope {
  Success?: unknown;
  Status: number;
  Error: string | null;
}

/** The Base64 session token that customerdetails gives for the emulator's first API_Session. */
export async function sessionTokenOf(emulator: BreezeEmulator, appKey: string): Promise<string> {
  const res = await breezeHttp({ method: 'GET', url: `${emulator.url}customerdetails`, headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ SessionToken: emulator.apiSession, AppKey: appKey }), timeoutMs: 2000, effect: 'read' });
  return String((JSON.parse(res.text) as { Success: { session_token: string } }).Success.session_token);
}

export async function signedCall(emulator: BreezeEmulator, keys: WireKeys, method: HttpMethod, endpoint: string, body: unknown): Promise<Envelope> {
  const payload = JSON.stringify(body);
  const timestamp = breezeTimestamp(new Date());
  const res = await breezeHttp({
    method,
    url: `${emulator.url}${endpoint}`,
    headers: { 'Content-Type': 'application/json', 'X-Checksum': `token ${checksum(timestamp, payload, keys.secretKey)}`, 'X-Timestamp': timestamp, 'X-AppKey': keys.appKey, 'X-SessionToken': keys.sessionToken },
    body: payload,
    timeoutMs: 2000,
    effect: 'read',
  });
  return JSON.parse(res.text) as Envelope;
}
