/**
 * How the emulator checks a signed call, as docs/breeze-api.md#request-signing describes it:
 * `X-Checksum` must be `token ` + sha256(X-Timestamp + raw body bytes + secret), over the bytes
 * received (never re-serialised JSON: real clients differ in key order and escaping), the
 * timestamp must be near the server clock, and the session token must be a live one.
 *
 * @module
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { encodeSessionToken } from '../../src/broker/breeze/signing.ts';
import { type Answer, businessError, gatewayError, TEXT } from './wire.ts';

export interface EmuSession {
  apiSession: string;
  userId: string;
  sessionToken: string;
  /** The half after `:` of the decoded session token: what the streams take as `auth.token` (docs/breeze-api.md#streaming-auth). */
  sessionKey: string;
  expired: boolean;
}

/** API_Sessions handed out by "browser logins", and the tokens exchanged for them. */
export class SessionRegistry {
  private readonly byApiSession = new Map<string, EmuSession>();
  private readonly byToken = new Map<string, EmuSession>();

  private readonly userId: string;

  constructor(userId: string) {
    this.userId = userId;
  }

  /** A new login: an API_Session (short, alphanumeric, like the real ones, docs/breeze-api.md#session). */
  add(apiSession = String(10_000 + randomBytes(3).readUIntBE(0, 3) % 90_000)): EmuSession {
    const sessionKey = randomBytes(6).toString('hex');
    const session = { apiSession, userId: this.userId, sessionToken: encodeSessionToken(this.userId, sessionKey), sessionKey, expired: false };
    this.byApiSession.set(apiSession, session);
    this.byToken.set(session.sessionToken, session);
    return session;
  }

  byApi(apiSession: string): EmuSession | undefined {
    return this.byApiSession.get(apiSession);
  }

  byTokenValue(token: string): EmuSession | undefined {
    return this.byToken.get(token);
  }

  /** The live session a streaming client names in its `auth` (user id and decoded session key), if any. */
  byStreamAuth(user: unknown, token: unknown): EmuSession | undefined {
    if (typeof user !== 'string' || typeof token !== 'string') return undefined;
    const session = [...this.byApiSession.values()].find((s) => s.userId === user && s.sessionKey === token);
    return session && !session.expired ? session : undefined;
  }

  expireAll(): void {
    for (const s of this.byApiSession.values()) s.expired = true;
  }
}

export interface SignedCheck {
  appKey: string;
  secretKey: string;
  sessions: SessionRegistry;
  now: Date;
  maxSkewMs: number;
}

const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/** The session of a correctly signed call, or the envelope refusing it. */
export function checkSigned(headers: Record<string, string | string[] | undefined>, rawBody: Buffer, check: SignedCheck): EmuSession | Answer {
  const header = (name: string) => {
    const v = headers[name];
    return Array.isArray(v) ? v[0] : v;
  };
  const appKey = header('x-appkey');
  const timestamp = header('x-timestamp') ?? '';
  const given = header('x-checksum') ?? '';
  const token = header('x-sessiontoken') ?? '';
  if (appKey !== check.appKey) return businessError(TEXT.unknownKey);
  const expected = `token ${createHash('sha256').update(timestamp, 'utf8').update(rawBody).update(check.secretKey, 'utf8').digest('hex')}`;
  if (!sameText(given, expected)) return gatewayError(TEXT.invalidChecksum);
  if (!TIMESTAMP.test(timestamp) || Math.abs(check.now.getTime() - Date.parse(timestamp)) > check.maxSkewMs) return gatewayError(TEXT.staleTimestamp);
  const session = check.sessions.byTokenValue(token);
  if (!session || session.expired) return businessError(TEXT.invalidUser);
  return session;
}

function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
