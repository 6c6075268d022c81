/**
 * Access tokens (JWT, HS256 pinned, with exp, jti, sid, iss and aud all required) and opaque
 * refresh tokens (256 random bits, stored only as SHA-256). Hono's verify pins the algorithm and
 * checks iss/aud; it accepts a token without `exp`, so the claims are checked here as well
 * (docs/security-standards.md#hono-jwt-verification).
 *
 * @module
 */
import { createHash, randomBytes, randomUUID, webcrypto } from 'node:crypto';
import { sign, verify } from 'hono/jwt';
import { AuthenticationError } from '../domain/errors.ts';
import type { Role } from '../domain/roles.ts';

export const JWT_ALG = 'HS256' as const;

export interface AccessClaims {
  sub: string;
  sid: string;
  jti: string;
  role: Role;
  acc: string;
  typ: 'access';
  iss: string;
  aud: string;
  iat: number;
  exp: number;
}

export interface TokenSettings {
  secret: string;
  issuer: string;
  audience: string;
  ttlSeconds: number;
}

export async function issueAccessToken(s: TokenSettings, subject: { userId: string; sessionId: string; role: Role; accountId: string }, nowMs = Date.now()): Promise<{ token: string; claims: AccessClaims }> {
  const iat = Math.floor(nowMs / 1000);
  const claims: AccessClaims = {
    sub: subject.userId,
    sid: subject.sessionId,
    jti: randomUUID(),
    role: subject.role,
    acc: subject.accountId,
    typ: 'access',
    iss: s.issuer,
    aud: s.audience,
    iat,
    exp: iat + s.ttlSeconds,
  };
  return { token: await sign({ ...claims }, await hmacKey(s.secret), JWT_ALG), claims };
}

/**
 * The HS256 key, imported once per secret: given a string, Hono imports it into WebCrypto on every
 * sign and verify, which was a tenth of an authenticated request's CPU (bench/security.ts).
 */
const hmacKeys = new Map<string, Promise<webcrypto.CryptoKey>>();
function hmacKey(secret: string): Promise<webcrypto.CryptoKey> {
  let key = hmacKeys.get(secret);
  if (!key) {
    key = webcrypto.subtle.importKey('raw', new TextEncoder().encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign', 'verify']);
    hmacKeys.set(secret, key);
  }
  return key;
}

const invalid = () => new AuthenticationError('The access token is invalid or expired', 'invalid-token');

/** Verify signature, algorithm, issuer, audience and the claims this system requires. */
export async function verifyAccessToken(s: TokenSettings, token: string): Promise<AccessClaims> {
  let payload: Record<string, unknown>;
  try {
    payload = (await verify(token, await hmacKey(s.secret), { alg: JWT_ALG, iss: s.issuer, aud: s.audience })) as Record<string, unknown>;
  } catch {
    throw invalid();
  }
  const { exp, iat, jti, sid, sub, typ } = payload;
  if (typeof exp !== 'number' || typeof iat !== 'number' || typeof jti !== 'string' || typeof sid !== 'string' || typeof sub !== 'string') throw invalid();
  if (typ !== 'access' || exp - iat > s.ttlSeconds) throw invalid();
  return payload as unknown as AccessClaims;
}

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** A new opaque refresh token and the hash that is stored. */
export function newRefreshToken(): { token: string; hash: string } {
  const token = `rt_${randomBytes(32).toString('base64url')}`;
  return { token, hash: sha256(token) };
}

/** How long an enrolment token lasts: enough to scan a QR code and type the first code. */
export const ENROLMENT_TOKEN_TTL_S = 600;

/**
 * A token that only enrols a second factor: what a right password earns an admin who has none
 * (an admin cannot log in without one). Its own `typ` and audience, so it is never an access token.
 */
export async function issueEnrolmentToken(s: TokenSettings, userId: string, nowMs = Date.now()): Promise<string> {
  const iat = Math.floor(nowMs / 1000);
  return sign({ sub: userId, jti: randomUUID(), typ: 'totp-enrol', iss: s.issuer, aud: `${s.audience}:totp-enrol`, iat, exp: iat + ENROLMENT_TOKEN_TTL_S }, await hmacKey(s.secret), JWT_ALG);
}

/** The user an enrolment token was issued to; throws when it is not a valid, live enrolment token. */
export async function verifyEnrolmentToken(s: TokenSettings, token: string): Promise<string> {
  const refused = () => new AuthenticationError('The enrolment token is invalid or expired', 'invalid-enrolment-token');
  let payload: Record<string, unknown>;
  try {
    payload = (await verify(token, await hmacKey(s.secret), { alg: JWT_ALG, iss: s.issuer, aud: `${s.audience}:totp-enrol` })) as Record<string, unknown>;
  } catch {
    throw refused();
  }
  const { exp, iat, sub, typ } = payload;
  if (typ !== 'totp-enrol' || typeof sub !== 'string' || typeof exp !== 'number' || typeof iat !== 'number' || exp - iat > ENROLMENT_TOKEN_TTL_S) throw refused();
  return sub;
}
