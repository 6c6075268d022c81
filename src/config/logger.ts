/**
 * Structured logging with pino. Secrets never reach a log line: the redaction list covers
 * credentials wherever they appear in logged objects, and callers log ids, never tokens.
 *
 * @module
 */
import pino, { type Logger } from 'pino';
import type { ProcessSettings } from './sections/process.ts';

export type { Logger };

/** Paths censored in every log line (pino `redact`); `*` matches one level of nesting. */
export const REDACT_PATHS = [
  'password',
  '*.password',
  'newPassword',
  '*.newPassword',
  'currentPassword',
  '*.currentPassword',
  'token',
  '*.token',
  'accessToken',
  '*.accessToken',
  'refreshToken',
  '*.refreshToken',
  'apiKey',
  '*.apiKey',
  'secret',
  '*.secret',
  'authorization',
  '*.authorization',
  'headers.authorization',
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  'headers["x-api-key"]',
  'headers["x-signature"]',
  '*.headers["x-checksum"]',
  '*.headers["x-sessiontoken"]',
  'sessionToken',
  '*.sessionToken',
  'JWT_SECRET',
  'ADMIN_PASSWORD',
  'WEBHOOK_SECRET',
  'BREEZE_SECRET_KEY',
  'BREEZE_API_SESSION',
  'BREEZE_APP_KEY',
  'DATABASE_URL',
  'DATABASE_ADMIN_URL',
  'SMTP_PASSWORD',
  'BACKUP_ENCRYPTION_KEY',
  'ALERT_WEBHOOK_SECRET',
  'ALERT_WEBHOOK_URL',
  'SMTP_USER',
  'AUDIT_ANCHOR_KEY',
  'TOTP_ENCRYPTION_KEY',
  'TELEGRAM_BOT_TOKEN',
];

export function createLogger(
  settings: Pick<ProcessSettings, 'LOG_LEVEL' | 'LOG_FORMAT' | 'NODE_ENV'>,
  name: string,
  destination?: pino.DestinationStream,
): Logger {
  const pretty = settings.LOG_FORMAT === 'pretty' || (settings.LOG_FORMAT === 'auto' && settings.NODE_ENV === 'development');
  const options: pino.LoggerOptions = {
    name,
    level: settings.LOG_LEVEL,
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    timestamp: pino.stdTimeFunctions.isoTime,
    base: { pid: process.pid },
    serializers: { err: pino.stdSerializers.err },
  };
  if (destination) return pino(options, destination);
  if (pretty) {
    return pino({ ...options, transport: { target: 'pino-pretty', options: { translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname', singleLine: true } } });
  }
  return pino(options);
}
