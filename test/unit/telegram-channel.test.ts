import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toApplicationFailure } from '../../src/activities/failure.ts';
import { type AlertMessage, ChannelRejectedError, ChannelUnavailableError } from '../../src/observability/alerts/message.ts';
import { telegramChannel, TELEGRAM_MAX_TEXT } from '../../src/observability/alerts/channels/telegram.ts';
import { freePort } from '../support/ports.ts';
import { startTelegramBotApi, type TelegramBotApi } from '../support/telegram-bot-api.ts';

const TOKEN = '123456789:AAE-secret_bot_token-value';
let api: TelegramBotApi;
beforeAll(async () => {
  api = await startTelegramBotApi(TOKEN);
});
afterAll(async () => api?.stop());

const message = (over: Partial<AlertMessage> = {}): AlertMessage => ({
  eventId: 7,
  alertKey: 'circuit_breaker_tripped|acct',
  ruleId: 'circuit_breaker_tripped',
  status: 'FIRING',
  severity: 'critical',
  summary: 'Circuit breaker tripped',
  labels: { account: 'acct' },
  value: 1,
  occurredAt: '2026-12-05T06:00:00.000Z',
  ...over,
});

async function failure(send: Promise<void>): Promise<Error> {
  try {
    await send;
  } catch (err) {
    return err as Error;
  }
  throw new Error('the send did not fail');
}

describe('the Telegram alert channel', () => {
  const channel = () => telegramChannel({ apiUrl: api.url, botToken: TOKEN, chatId: '-1001234' });

  it('sends the alert as a plain-text message to the chat, a resolution silently', async () => {
    const c = channel();
    await c.send(message());
    await c.send(message({ status: 'RESOLVED' }));
    const [firing, resolved] = api.sent.slice(-2);
    expect(firing).toMatchObject({ chatId: '-1001234', disableNotification: false });
    expect(firing!.text).toContain('[FIRING critical] breeze-trader circuit_breaker_tripped');
    expect(firing!.text).toContain('Circuit breaker tripped');
    expect(resolved!.disableNotification).toBe(true);
  });

  it('cuts a message to the 4096 characters Telegram takes', async () => {
    await channel().send(message({ summary: 'x'.repeat(6000) }));
    expect(api.sent.at(-1)!.text).toHaveLength(TELEGRAM_MAX_TEXT);
  });

  it('asks for the retry no sooner than retry_after on a 429', async () => {
    api.failNext({ status: 429, description: 'Too Many Requests: retry after 7', retryAfter: 7 });
    const err = await failure(channel().send(message()));
    expect(err).toBeInstanceOf(ChannelUnavailableError);
    expect((err as ChannelUnavailableError).retryAfterSeconds).toBe(7);
    expect(toApplicationFailure(err as ChannelUnavailableError).nextRetryDelay).toBe(7000);
  });

  it('refuses for good when the bot is blocked or the group moved, and says where it moved', async () => {
    api.failNext({ status: 403, description: 'Forbidden: bot was blocked by the user' }, { status: 400, description: 'Bad Request: group chat was upgraded to a supergroup chat', migrateToChatId: -100987 });
    expect(await failure(channel().send(message()))).toBeInstanceOf(ChannelRejectedError);
    const moved = await failure(channel().send(message()));
    expect(moved).toBeInstanceOf(ChannelRejectedError);
    expect(moved.message).toContain('-100987');
  });

  it('retries a server error and a server that is down, and never shows the bot token', async () => {
    api.failNext({ status: 502, description: `Bad Gateway for /bot${TOKEN}/sendMessage` });
    const bad = await failure(channel().send(message()));
    const down = await failure(telegramChannel({ apiUrl: `http://127.0.0.1:${await freePort()}`, botToken: TOKEN, chatId: '1' }).send(message()));
    const wrongToken = await failure(telegramChannel({ apiUrl: api.url, botToken: '1:wrong', chatId: '1' }).send(message()));
    expect(bad).toBeInstanceOf(ChannelUnavailableError);
    expect(down).toBeInstanceOf(ChannelUnavailableError);
    expect(wrongToken).toBeInstanceOf(ChannelRejectedError);
    for (const err of [bad, down]) {
      expect(JSON.stringify({ message: err.message, data: (err as ChannelUnavailableError).toJSON(), cause: String(err.cause) })).not.toContain(TOKEN.split(':')[1]);
    }
  });
});
