/** Monitoring, alerts and their delivery (webhook, SMTP, Telegram). */
import { z } from 'zod';
import { bool, hhmm, int, list } from '../schema.ts';

export const alertSettings = z.object({
  MONITOR_SAMPLE_S: int(1).default(15).describe('Seconds between heartbeats: system gauges of each process and broker call counts'),
  ALERT_EVALUATOR: bool.default(true).describe('Workers make sure the alert evaluator workflow runs (one per namespace and task queue)'),
  ALERT_EVAL_INTERVAL_S: int(5).default(30).describe('Seconds between alert evaluations (and intraday P&L samples)'),
  ALERT_COOLDOWN_S: int(0).default(300).describe('An alert announced this recently is not announced firing again (flapping)'),
  ALERT_RULES_FILE: z.string().optional().describe('JSON file of custom alert rules and overrides of the built-ins (re-read on each evaluation)'),
  ALERT_RULES: z.string().optional().describe('Custom alert rules as a JSON array, applied after ALERT_RULES_FILE'),
  ALERT_MIN_WORKERS: int(0).default(1).describe('Workers that must poll the trading task queue (fewer raises worker_not_polling)'),
  AUDIT_VERIFY_INTERVAL_S: int(0).default(900).describe('Seconds between full audit chain verifications by the evaluator (0 = off)'),
  ALERT_CHANNELS: list.default(['log', 'file', 'webhook', 'email', 'telegram']).describe('Alert channels: log, file (JSONL under DATA_DIR/alerts), webhook, email and telegram (each only when configured)'),
  ALERT_RETRY_MAX_S: int(1).default(300).describe('Longest wait between two attempts at a failing alert channel (backoff from 2 s)'),
  ALERT_DELIVERY_GIVE_UP_H: int(1).default(24).describe('Hours a failing channel keeps being retried before the delivery counts as failed'),
  ALERT_WEBHOOK_URL: z.string().url().optional().describe('Webhook receiving alerts as JSON (POST, signed like incoming webhooks)'),
  ALERT_WEBHOOK_SECRET: z.string().min(16).optional().describe('HMAC-SHA256 secret signing alert webhooks (X-Signature over timestamp and body)'),
  ALERT_EMAIL_TO: list.default([]).describe('Comma-separated recipients of alert e-mails (empty: no e-mail)'),
  SMTP_HOST: z.string().optional().describe('SMTP server for alert e-mails'),
  SMTP_PORT: int(1).default(587).describe('SMTP port (587 submission with STARTTLS, 465 with SMTP_SECURE)'),
  SMTP_SECURE: bool.default(false).describe('Implicit TLS from the first byte (port 465); otherwise STARTTLS when offered'),
  SMTP_USER: z.string().optional().describe('SMTP user (unset: no authentication)'),
  SMTP_PASSWORD: z.string().optional().describe('SMTP password'),
  SMTP_FROM: z.string().default('breeze-trader <alerts@localhost>').describe('Sender of alert e-mails'),
  TELEGRAM_BOT_TOKEN: z.string().regex(/^\d+:[A-Za-z0-9_-]+$/, 'a token from @BotFather: <bot id>:<secret>').optional().describe('Telegram bot token sending alerts (from @BotFather; unset: no Telegram)'),
  TELEGRAM_CHAT_ID: z.string().regex(/^(-?\d+|@[A-Za-z0-9_]{5,})$/, 'a numeric chat id or @channelusername').optional().describe('Telegram chat receiving alerts: a numeric chat id or @channelusername'),
  DAILY_REPORT_TIME: hhmm.default('15:45').describe("IST time of the day's report (per account, sent through the alert channels), after the 15:30 close"),
  TELEGRAM_API_URL: z.string().url().default('https://api.telegram.org').describe('Base URL of the Telegram Bot API (a self-hosted Bot API server, or a stub in tests)'),
}).describe('Monitoring, alerts and their delivery (webhook, SMTP, Telegram)');
export type AlertSettings = z.infer<typeof alertSettings>;
