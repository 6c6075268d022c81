import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureAlertEvaluator, wakeAlertEvaluator } from '../../src/temporal/alert-evaluator.ts';
import { alertEvaluatorWorkflowId } from '../../src/workflows/alert-messages.ts';
import { eventually } from '../support/receivers.ts';
import { ownAccountId, startStack, type TestStack } from '../support/stack.ts';
import { startTelegramBotApi, type TelegramBotApi } from '../support/telegram-bot-api.ts';

const TOKEN = '987654321:AAH-integration_bot_token';
const RETRY_AFTER_S = 3;
let stack: TestStack;
let bot: TelegramBotApi;
let admin: string;

beforeAll(async () => {
  bot = await startTelegramBotApi(TOKEN);
  stack = await startStack({
    settings: {
      ACCOUNT_ID: ownAccountId(),
      ALERT_CHANNELS: 'log,telegram',
      TELEGRAM_BOT_TOKEN: TOKEN,
      TELEGRAM_CHAT_ID: '-1009876',
      TELEGRAM_API_URL: bot.url,
      ALERT_EVAL_INTERVAL_S: '5',
      // The backoff alone would retry within a second or two: a longer wait can only be Telegram's retry_after.
      ALERT_RETRY_MAX_S: '1',
      ALERT_COOLDOWN_S: '0',
      ALERT_RULES: JSON.stringify(['cpu_high', 'memory_high', 'disk_low'].map((id) => ({ id, disabled: true }))),
    },
  });
  admin = (await stack.login()).accessToken;
});

afterAll(async () => {
  await stack?.client.workflow.getHandle(alertEvaluatorWorkflowId(stack.config.temporal.TEMPORAL_TASK_QUEUE)).terminate('test over').catch(() => undefined);
  await stack?.stop();
  await bot?.stop();
});

const delivery = async (status: string) => {
  const [row] = await stack.db.sql<{ status: string; attempts: number; lastError: string | null }[]>`
    select d.status, d.attempts, d.last_error as "lastError" from alert_deliveries d join alert_events e on e.id = d.event_id
    where e.rule_id = 'circuit_breaker_tripped' and e.status = ${status} and d.channel = 'telegram'`;
  return row;
};
const messages = (status: string) => bot.sent.filter((m) => m.text.includes(`[${status} critical] breeze-trader circuit_breaker_tripped`));

describe('alerts through Telegram', () => {
  it('delivers after a 429 no sooner than retry_after, then the resolution silently, once each', async () => {
    bot.failNext({ status: 429, description: `Too Many Requests: retry after ${RETRY_AFTER_S}`, retryAfter: RETRY_AFTER_S });
    expect((await stack.request('/risk/halt', { method: 'POST', token: admin, body: JSON.stringify({ reason: 'telegram alert test' }) })).status).toBe(200);
    await ensureAlertEvaluator(stack.client, stack.config);

    await eventually(() => messages('FIRING').length > 0, 60_000, 'the firing alert in the chat');
    const [limited, delivered] = bot.requests;
    expect(limited!.status).toBe(429);
    expect(delivered!.status).toBe(200);
    expect(delivered!.at - limited!.at).toBeGreaterThanOrEqual(RETRY_AFTER_S * 1000 - 50);
    expect(messages('FIRING')[0]).toMatchObject({ chatId: '-1009876', disableNotification: false });
    const firing = await eventually(async () => {
      const row = await delivery('FIRING');
      return row?.status === 'DELIVERED' && row;
    }, 30_000, 'the delivery recorded');
    expect(firing.attempts).toBe(2);
    expect(firing.lastError ?? '').not.toContain(TOKEN.split(':')[1]);

    expect((await stack.request('/risk/resume', { method: 'POST', token: admin })).status).toBe(200);
    await wakeAlertEvaluator(stack.client, stack.config);
    await eventually(() => messages('RESOLVED').length > 0, 60_000, 'the resolution in the chat');
    await eventually(async () => (await delivery('RESOLVED'))?.status === 'DELIVERED', 30_000, 'the resolution recorded');
    expect(messages('RESOLVED')[0]!.disableNotification).toBe(true);
    expect(messages('FIRING')).toHaveLength(1);
    expect(messages('RESOLVED')).toHaveLength(1);
  }, 180_000);
});
