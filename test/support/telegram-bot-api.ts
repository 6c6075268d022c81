/**
 * A local stand-in for the Telegram Bot API (docs/telegram.md): `POST /bot<token>/sendMessage`
 * with a JSON body, answered `{ok: true, result: Message}`, or with the error shape
 * `{ok: false, error_code, description, parameters}` when the test queued one (a 429 with
 * `parameters.retry_after`, a 403 for a blocked bot...). A wrong token gets 401 as from Telegram.
 */
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SentMessage {
  chatId: string | number;
  text: string;
  disableNotification: boolean;
  at: number;
}

export interface BotApiError {
  status: number;
  description: string;
  retryAfter?: number;
  migrateToChatId?: number;
}

export interface TelegramBotApi {
  url: string;
  /** Messages the bot sent (successful sendMessage calls), in order. */
  sent: SentMessage[];
  /** Every sendMessage request, answered or refused, with when it came. */
  requests: { at: number; status: number }[];
  /** Answer the next sendMessage calls with these errors, one each. */
  failNext(...errors: BotApiError[]): void;
  stop(): Promise<void>;
}

async function bodyOf(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export async function startTelegramBotApi(token: string): Promise<TelegramBotApi> {
  const sent: SentMessage[] = [];
  const requests: { at: number; status: number }[] = [];
  const queued: BotApiError[] = [];
  let messageId = 0;
  const server = createServer((req, res) => {
    void (async () => {
      const at = Date.now();
      const raw = await bodyOf(req);
      const answer = (status: number, body: unknown) => {
        requests.push({ at, status });
        res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
      };
      const match = /^\/bot([^/]+)\/sendMessage$/i.exec(req.url ?? '');
      if (req.method !== 'POST' || !match) return answer(404, { ok: false, error_code: 404, description: 'Not Found' });
      if (match[1] !== token) return answer(401, { ok: false, error_code: 401, description: 'Unauthorized' });
      const error = queued.shift();
      if (error) {
        const parameters = { ...(error.retryAfter === undefined ? {} : { retry_after: error.retryAfter }), ...(error.migrateToChatId === undefined ? {} : { migrate_to_chat_id: error.migrateToChatId }) };
        return answer(error.status, { ok: false, error_code: error.status, description: error.description, ...(Object.keys(parameters).length ? { parameters } : {}) });
      }
      const body = JSON.parse(raw) as { chat_id: string | number; text?: string; disable_notification?: boolean };
      if (!body.text) return answer(400, { ok: false, error_code: 400, description: 'Bad Request: message text is empty' });
      if (body.text.length > 4096) return answer(400, { ok: false, error_code: 400, description: 'Bad Request: message is too long' });
      sent.push({ chatId: body.chat_id, text: body.text, disableNotification: body.disable_notification === true, at });
      answer(200, { ok: true, result: { message_id: ++messageId, chat: { id: body.chat_id, type: 'private' }, date: Math.floor(at / 1000), text: body.text } });
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    sent,
    requests,
    failNext: (...errors) => void queued.push(...errors),
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
