/**
 * The channels this deployment sends alerts to: ALERT_CHANNELS, less those not configured
 * (webhook without ALERT_WEBHOOK_URL, e-mail without SMTP_HOST or ALERT_EMAIL_TO).
 *
 * @module
 */
import path from 'node:path';
import type { Config } from '../../../config.ts';
import type { Logger } from '../../../config/logger.ts';
import type { AlertChannel } from '../message.ts';
import { emailChannel } from './email.ts';
import { fileChannel } from './file.ts';
import { logChannel } from './log.ts';
import { webhookChannel } from './webhook.ts';

export function configuredChannels(config: Config, log: Logger): Map<string, AlertChannel> {
  const channels = new Map<string, AlertChannel>();
  const wanted = new Set(config.ALERT_CHANNELS);
  if (wanted.has('log')) channels.set('log', logChannel(log));
  if (wanted.has('file')) channels.set('file', fileChannel(path.join(config.dataDir, 'alerts')));
  if (wanted.has('webhook') && config.ALERT_WEBHOOK_URL) channels.set('webhook', webhookChannel({ url: config.ALERT_WEBHOOK_URL, secret: config.ALERT_WEBHOOK_SECRET }));
  if (wanted.has('email') && config.SMTP_HOST && config.ALERT_EMAIL_TO.length) {
    channels.set(
      'email',
      emailChannel({ host: config.SMTP_HOST, port: config.SMTP_PORT, secure: config.SMTP_SECURE, user: config.SMTP_USER, password: config.SMTP_PASSWORD, from: config.SMTP_FROM, to: config.ALERT_EMAIL_TO }),
    );
  }
  return channels;
}
