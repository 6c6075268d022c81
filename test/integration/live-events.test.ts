import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ownAccountId, startStack, type TestStack } from '../support/stack.ts';
import { enter, eventually, hasStatus, market, waitForTrade } from '../support/trading.ts';

let stack: TestStack;
let trader: string;
let viewer: string;
const INFY = { symbol: 'INFY', exchange: 'NSE', product: 'CASH' } as const;

interface LiveEvent {
  event: string;
  id: string;
  data: { id: string; type: string; accountId: string | null; at: string; tradeId?: string; status?: string; qty?: number; price?: number };
}

/** A client of GET /events as the console reads it (fetch with the Bearer token, the stream parsed as it comes). */
async function openEvents(token: string, lastEventId?: string) {
  const res = await stack.request('/events', { token, headers: lastEventId ? { 'Last-Event-ID': lastEventId } : {} });
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toContain('text/event-stream');
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  const events: LiveEvent[] = [];
  let buffer = '';
  void (async () => {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buffer += decoder.decode(value, { stream: true });
      for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
        const fields = Object.fromEntries(
          buffer
            .slice(0, end)
            .split('\n')
            .filter((l) => !l.startsWith(':') && l.includes(':'))
            .map((l) => [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 1).trimStart()]),
        );
        buffer = buffer.slice(end + 2);
        if (fields.data) events.push({ event: fields.event!, id: fields.id!, data: JSON.parse(fields.data) as LiveEvent['data'] });
      }
    }
  })().catch(() => undefined);
  return { events, close: () => reader.cancel().catch(() => undefined) };
}

const seen = (events: LiveEvent[], tradeId: string, type: string, match: (e: LiveEvent) => boolean = () => true) => events.find((e) => e.event === type && e.data.tradeId === tradeId && match(e));

beforeAll(async () => {
  stack = await startStack({ settings: { RISK_MAX_OPEN_POSITIONS: '20', RISK_MAX_TRADE_VALUE: '1000000', ACCOUNT_CAPITAL: '100000000' } });
  trader = (await stack.userWithRole('trader')).accessToken;
  viewer = (await stack.userWithRole('viewer')).accessToken;
  await stack.market.setQuote(INFY, 1500_00);
});
afterAll(async () => stack?.stop());

describe('live updates (GET /events)', () => {
  it("push a trade's entry order, its fill and its status to a viewer as they happen", async () => {
    const client = await openEvents(viewer);
    try {
      const { body } = await enter(stack, trader, market('INFY', { quantity: 4 }));
      const fill = await eventually(async () => seen(client.events, body.id, 'fill'), 30_000, 'the fill event');
      expect(fill.data).toMatchObject({ type: 'fill', accountId: stack.config.account.ACCOUNT_ID, tradeId: body.id, qty: 4 });
      expect(fill.data.price).toBeGreaterThan(0);
      await eventually(async () => seen(client.events, body.id, 'trade', (e) => e.data.status === 'OPEN'), 30_000, 'the trade OPEN event');
      expect(seen(client.events, body.id, 'order')).toBeDefined();
      // Ids only grow: a client resumes after the last one it got.
      const ids = client.events.map((e) => BigInt(e.id));
      expect([...ids].sort((a, b) => (a < b ? -1 : 1))).toEqual(ids);
    } finally {
      await client.close();
    }
  });

  it('give a client that reconnects with Last-Event-ID what it missed', async () => {
    const first = await openEvents(viewer);
    const { body: before } = await enter(stack, trader, market('INFY', { quantity: 2 }));
    const last = await eventually(async () => seen(first.events, before.id, 'trade', (e) => e.data.status === 'OPEN'), 30_000, 'the first trade');
    await first.close();

    const { body: missed } = await enter(stack, trader, market('INFY', { quantity: 3 }));
    await waitForTrade(stack, trader, missed.id, hasStatus('OPEN'));
    const again = await openEvents(viewer, last.id);
    try {
      const fill = await eventually(async () => seen(again.events, missed.id, 'fill'), 30_000, 'the missed fill');
      expect(fill.data.qty).toBe(3);
      expect(seen(again.events, missed.id, 'trade', (e) => e.data.status === 'OPEN')).toBeDefined();
      expect(again.events.every((e) => BigInt(e.id) > BigInt(last.id))).toBe(true);
    } finally {
      await again.close();
    }
  });

  it("show a viewer of another account nothing of this account's trades", async () => {
    const other = ownAccountId();
    await stack.db.sql`insert into accounts (id, name, capital_paise) values (${other}, 'other desk', 100000000)`;
    const outsider = await stack.userWithRole('viewer');
    await stack.db.sql`update users set account_id = ${other} where id = ${outsider.id}`;
    const outsiderToken = (await stack.login(outsider.username, outsider.password)).accessToken;

    const theirs = await openEvents(outsiderToken, '0');
    const ours = await openEvents(viewer);
    try {
      const { body } = await enter(stack, trader, market('INFY', { quantity: 1 }));
      await eventually(async () => seen(ours.events, body.id, 'fill'), 30_000, "this account's viewer to see the fill");
      // The outsider's stream was open (and replayed from the start) all along.
      expect(theirs.events.filter((e) => e.data.accountId === stack.config.account.ACCOUNT_ID)).toEqual([]);
      expect(theirs.events.filter((e) => e.data.tradeId)).toEqual([]);
    } finally {
      await Promise.all([theirs.close(), ours.close()]);
    }
  });
});
