/**
 * The webhook channel: POST the notification as JSON, signed the way this system checks incoming
 * webhooks (`src/domain/webhook-signature.ts`): `X-Signature` is hex HMAC-SHA256 over
 * `<timestamp>.<body>`, `X-Signature-Timestamp` is Unix seconds. `X-Alert-Id` lets the receiver
 * drop a repeat (a retry after a lost response delivers twice).
 *
 * 2xx delivers; 408, 429, 5xx and network errors are retried; other 4xx refuse for good.
 *
 * @module
 */
import { signWebhook } from '../../../domain/webhook-signature.ts';
import { type AlertChannel, ChannelRejectedError, ChannelUnavailableError } from '../message.ts';

export interface WebhookSettings {
  url: string;
  secret?: string | undefined;
  timeoutMs?: number;
}

export function webhookChannel(s: WebhookSettings): AlertChannel {
  return {
    name: 'webhook',
    async send(m) {
      const body = JSON.stringify({ type: m.kind ?? 'alert', ...m });
      const timestamp = Math.floor(Date.now() / 1000);
      const headers: Record<string, string> = { 'Content-Type': 'application/json', 'User-Agent': 'breeze-trader-alerts', 'X-Alert-Id': String(m.eventId) };
      if (s.secret) {
        headers['X-Signature-Timestamp'] = String(timestamp);
        headers['X-Signature'] = signWebhook(s.secret, timestamp, body);
      }
      let res: Response;
      try {
        res = await fetch(s.url, { method: 'POST', headers, body, signal: AbortSignal.timeout(s.timeoutMs ?? 10_000), redirect: 'error' });
      } catch (err) {
        throw new ChannelUnavailableError('webhook', err instanceof Error ? err.message : 'request failed', err);
      }
      await res.body?.cancel().catch(() => undefined);
      if (res.ok) return;
      if (res.status === 408 || res.status === 429 || res.status >= 500) throw new ChannelUnavailableError('webhook', `HTTP ${res.status}`);
      throw new ChannelRejectedError('webhook', `HTTP ${res.status}`);
    },
  };
}
