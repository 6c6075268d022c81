/** Identity, sessions, two-factor login, lockout, network controls, rate limits, webhooks, audit anchors. */
import { z } from 'zod';
import { bool, int, list } from '../schema.ts';

export const securitySettings = z.object({
  JWT_SECRET: z.string().min(32, 'at least 32 characters').optional().describe('HMAC key of access tokens (HS256); required in production (development: generated into DATA_DIR/dev-secrets.json)'),
  ADMIN_USERNAME: z.string().min(3).default('admin').describe('First admin, created at start when no user exists'),
  ADMIN_PASSWORD: z.string().optional().describe('Password of the first admin; required in production (development: generated into DATA_DIR/dev-secrets.json)'),
  JWT_ISSUER: z.string().default('breeze-trader').describe('Issuer (iss) of access tokens, checked on every request'),
  JWT_AUDIENCE: z.string().default('breeze-trader-api').describe('Audience (aud) of access tokens, checked on every request'),
  ACCESS_TOKEN_TTL_S: int(60).max(900).default(900).describe('Lifetime of an access token (at most 15 minutes)'),
  SESSION_IDLE_TIMEOUT_S: int(60).default(1800).describe('A session unused this long ends'),
  SESSION_ABSOLUTE_TIMEOUT_S: int(300).default(43200).describe('A session ends this long after login, whatever happens'),
  SESSION_END_AT_DAY_END: bool.default(true).describe('Sessions also end at the end of the IST trading day (SEBI: log out before the next day)'),
  BCRYPT_COST: int(12).max(15).default(12).describe('bcrypt work factor of password hashes (at least 12)'),
  PASSWORD_MIN_LENGTH: int(8).default(12).describe('Shortest accepted password'),
  LOCKOUT_THRESHOLD: int(1).default(5).describe('Failed logins (within a day, since the last good one) that lock an account for the address they came from, and for every address when they come from several'),
  LOCKOUT_BASE_S: int(1).default(60).describe('First lock duration; each further lock of the same address (or of the account) doubles it'),
  LOCKOUT_MAX_S: int(1).default(3600).describe('Longest lock duration'),
  LOGIN_FAILURES_PER_IP_HOUR: int(1).default(20).describe('Failed logins from one IP in an hour that put the IP on the block list'),
  IP_BLOCK_S: int(1).default(3600).describe('How long an abusive IP stays blocked'),
  IP_ALLOWLIST: list.default([]).describe('CIDRs allowed to reach trading and admin routes (empty: any)'),
  TRUSTED_PROXIES: list.default([]).describe('CIDRs of proxies whose X-Forwarded-For is believed'),
  METRICS_ALLOWLIST: list
    .default(['127.0.0.0/8', '::1', '10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16'])
    .describe('CIDRs that may scrape GET /metrics (it shows positions and P&L); empty: any'),
  RATE_LIMIT_AUTH: z.string().default('5,20,100,500').describe('Auth route limits per IP and per username: per second, minute, hour, day'),
  RATE_LIMIT_TRADING: z.string().default('10,120,2000,20000').describe('Trading route limits per caller: per second, minute, hour, day'),
  RATE_LIMIT_READ: z.string().default('50,1200,30000,300000').describe('Read route limits per caller: per second, minute, hour, day'),
  RATE_LIMIT_WEBHOOK: z.string().default('10,120,2000,20000').describe('Webhook limits per sending address (signals arrive unauthenticated until their signature is checked): per second, minute, hour, day'),
  RATE_LIMIT_ABUSE_THRESHOLD: int(1).default(100).describe('Refused requests from one IP in 10 minutes that put it on the block list'),
  WEBHOOK_SECRET: z.string().min(16).optional().describe('HMAC-SHA256 secret of signed webhooks (per-key secrets also work)'),
  WEBHOOK_TOLERANCE_S: int(1).default(300).describe('Largest age (either direction) of a webhook timestamp'),
  TOTP_ENCRYPTION_KEY: z.string().min(32).optional().describe('Key encrypting two-factor (TOTP) secrets at rest (default: derived from JWT_SECRET, so changing JWT_SECRET then needs every user to enrol again)'),
  TOTP_DRIFT_STEPS: int(0).max(10).default(1).describe('30-second steps either side of now in which a two-factor code is still accepted (clock drift)'),
  AUDIT_ANCHOR_KEY: z.string().min(32).optional().describe('HMAC key of the audit anchors written outside the database (default: derived from JWT_SECRET)'),
}).describe('Identity, sessions, two-factor login, lockout, network controls, rate limits, webhooks, audit anchors');
/** Loaded settings always have both secrets: given, or generated outside production (src/config/dev-secrets.ts). */
export type SecuritySettings = Omit<z.infer<typeof securitySettings>, 'JWT_SECRET' | 'ADMIN_PASSWORD'> & { JWT_SECRET: string; ADMIN_PASSWORD: string };
