/**
 * The channels this deployment sends alerts to: ALERT_CHANNELS, less those not configured
 * (webhook without ALERT_WEBHOOK_URL, e-mail without SMTP_HOST or ALERT_EMAIL_TO, Telegram
 * without TELEGRAM_BOT_TOKEN or TELEGRAM_CHAT_ID).
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
import { telegramChannel } from './telegram.ts';
import { webhookChannel } from './webhook.ts';

export function configuredChannels(config: Pick<Config, 'alerts' | 'dataDir'>, log: Logger): Map<string, AlertChannel> {
  const channels = new Map<string, AlertChannel>();
  const wanted = new Set(config.alerts.ALERT_CHANNELS);
  if (wanted.has('log')) channels.set('log', logChannel(log));
  if (wanted.has('file')) channels.set('file', fileChannel(path.join(config.dataDir, 'alerts')));
  if (wanted.has('webhook') && config.alerts.ALERT_WEBHOOK_URL) channels.set('webhook', webhookChannel({ url: config.alerts.ALERT_WEBHOOK_URL, secret: config.alerts.ALERT_WEBHOOK_SECRET }));
  if (wanted.has('email') && config.alerts.SMTP_HOST && config.alerts.ALERT_EMAIL_TO.length) {
    channels.set(
      'email',
      emailChannel({ host: config.alerts.SMTP_HOST, port: config.alerts.SMTP_PORT, secure: config.alerts.SMTP_SECURE, user: config.alerts.SMTP_USER, password: config.alerts.SMTP_PASSWORD, from: config.alerts.SMTP_FROM, to: config.alerts.ALERT_EMAIL_TO }),
    );
  }
  const botToken = config.alerts.TELEGRAM_BOT_TOKEN;
  const chatId = config.alerts.TELEGRAM_CHAT_ID;
  if (wanted.has('telegram') && botToken && chatId) channels.set('telegram', telegramChannel({ apiUrl: config.alerts.TELEGRAM_API_URL, botToken, chatId }));
  return channels;
}
