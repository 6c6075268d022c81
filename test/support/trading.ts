/**
 * Trading helpers for tests: enter through the API and wait for a trade to reach a status.
 */
import { randomUUID } from 'node:crypto';
import type { TestStack } from './stack.ts';

export interface TradeJson {
  id: string;
  status: string;
  exitReason?: string | null;
  entryPrice?: number | null;
  exitPrice?: number | null;
  pnl?: { gross: number; charges: number; net: number } | null;
  violations?: { rule: string }[];
  legs?: { tag: string; leg: string; status: string }[];
  [key: string]: unknown;
}

export const market = (symbol: string, extra: Record<string, unknown> = {}) => ({ symbol, exchange: 'NSE', product: 'CASH', side: 'BUY', quantity: 10, orderType: 'MARKET', ...extra });

export async function enter(stack: TestStack, token: string, body: Record<string, unknown>, key: string = randomUUID()): Promise<{ status: number; body: TradeJson }> {
  const res = await stack.request('/trades', { method: 'POST', token, headers: { 'Idempotency-Key': key }, body: JSON.stringify(body) });
  return { status: res.status, body: (await res.json()) as TradeJson };
}

/**
 * Enter as a careful client does: an answer that does not know the outcome yet (202 `accepted` or
 * `unknown`, which a loaded machine gives once the request deadline passes; 503 "not placed") is
 * asked again with the same Idempotency-Key, which joins the trade and never makes a second,
 * until the answer is known (201 or 200 placed, 422 refused) or `timeoutMs` has passed.
 */
export async function enterUntilKnown(stack: TestStack, token: string, body: Record<string, unknown>, key: string = randomUUID(), timeoutMs = 60_000): Promise<{ status: number; body: TradeJson }> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const answer = await enter(stack, token, body, key);
    const known = answer.status !== 503 && !(answer.status === 202 && ['accepted', 'unknown'].includes(String(answer.body.outcome)));
    if (known || Date.now() > until) return answer;
    await new Promise((r) => setTimeout(r, 200));
  }
}

export async function waitForTrade(stack: TestStack, token: string, id: string, done: (t: TradeJson) => boolean, timeoutMs = 60_000): Promise<TradeJson> {
  const until = Date.now() + timeoutMs;
  let last: TradeJson | undefined;
  while (Date.now() < until) {
    const res = await stack.request(`/trades/${id}`, { token });
    if (res.status === 200) {
      last = (await res.json()) as TradeJson;
      if (done(last)) return last;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`trade ${id} did not get there in time; last seen ${JSON.stringify(last)}`);
}

export const hasStatus = (...statuses: string[]) => (t: TradeJson) => statuses.includes(t.status);

/** Poll a condition until it holds (or fail after the timeout). */
export async function eventually<T>(check: () => Promise<T | undefined | false>, timeoutMs = 30_000, what = 'condition'): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > until) throw new Error(`${what} did not hold within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
