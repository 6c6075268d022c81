/**
 * The Telegram channel: the Bot API's `sendMessage` (POST <TELEGRAM_API_URL>/bot<token>/sendMessage,
 * JSON), plain text so nothing needs escaping, cut to the 4096 characters Telegram accepts, a
 * resolution sent silently. docs/telegram.md has the facts and their sources.
 *
 * A 429 carries `parameters.retry_after` (seconds): the delivery is retried no sooner than that.
 * Other 5xx and network errors are retried with the usual backoff; other 4xx (bad token, bot
 * blocked, chat not found, group moved to a supergroup) refuse for good. Sends to the chat are
 * spaced a second apart in this process (Telegram's limit per chat). The bot token is part of the
 * URL: it is scrubbed from every error this channel raises, so no log or record shows it.
 *
 * @module
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { type AlertChannel, ChannelRejectedError, ChannelUnavailableError, subjectOf, textOf } from '../message.ts';

export interface TelegramSettings {
  apiUrl: string;
  botToken: string;
  chatId: string;
  timeoutMs?: number;
}

/** Longest message text Telegram accepts. */
export const TELEGRAM_MAX_TEXT = 4096;
const PER_CHAT_GAP_MS = 1000;

interface BotApiAnswer {
  ok?: boolean;
  error_code?: number;
  description?: string;
  parameters?: { retry_after?: number; migrate_to_chat_id?: number };
}

export function telegramMessageText(text: string): string {
  return text.length <= TELEGRAM_MAX_TEXT ? text : `${text.slice(0, TELEGRAM_MAX_TEXT - 1)}…`;
}

export function telegramChannel(s: TelegramSettings): AlertChannel {
  const url = `${s.apiUrl.replace(/\/+$/, '')}/bot${s.botToken}/sendMessage`;
  const scrub = (text: string) => text.split(s.botToken).join('<bot-token>');
  let nextSendAt = 0;
  /** Wait for this chat's next free second (sends in this process queue up behind each other). */
  const pace = async () => {
    const at = Math.max(Date.now(), nextSendAt);
    nextSendAt = at + PER_CHAT_GAP_MS;
    if (at > Date.now()) await sleep(at - Date.now());
  };

  return {
    name: 'telegram',
    async send(m) {
      const body = JSON.stringify({ chat_id: s.chatId, text: telegramMessageText(`${subjectOf(m)}\n\n${textOf(m)}`), disable_notification: m.status === 'RESOLVED' });
      await pace();
      let res: Response;
      try {
        res = await fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json', 'User-Agent': 'breeze-trader-alerts' }, body, signal: AbortSignal.timeout(s.timeoutMs ?? 10_000), redirect: 'error' });
      } catch (err) {
        const code = (err as { cause?: { code?: string } }).cause?.code;
        const reason = scrub(`${err instanceof Error ? err.message : 'request failed'}${code ? ` (${code})` : ''}`);
        throw new ChannelUnavailableError('telegram', reason);
      }
      const answer = (await res.json().catch(() => ({}))) as BotApiAnswer;
      if (res.ok && answer.ok) return;
      const said = scrub(`HTTP ${res.status}${answer.description ? `: ${answer.description}` : ''}`);
      const retryAfter = answer.parameters?.retry_after;
      if (res.status === 429 || answer.error_code === 429) {
        const wait = typeof retryAfter === 'number' && retryAfter > 0 ? Math.ceil(retryAfter) : undefined;
        if (wait) nextSendAt = Math.max(nextSendAt, Date.now() + wait * 1000);
        throw new ChannelUnavailableError('telegram', `${said}${wait ? ` (retry after ${wait} s)` : ''}`, undefined, wait);
      }
      if (res.status === 408 || res.status >= 500) throw new ChannelUnavailableError('telegram', said);
      const moved = answer.parameters?.migrate_to_chat_id;
      throw new ChannelRejectedError('telegram', moved ? `${said}; the group is now chat ${moved}: set TELEGRAM_CHAT_ID to it` : said);
    },
  };
}
