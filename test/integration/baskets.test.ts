import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/api/app.ts';
import { fundsBrokerOf } from '../../src/broker/funds.ts';
import { setCapital } from '../../src/db/accounts.ts';
import { ledgerTotals, reservedMargin } from '../../src/db/funds-ledger.ts';
import { recordHistory } from '../support/history-json.ts';
import { startStack, type TestStack, workflowBundleCode } from '../support/stack.ts';
import { enter, eventually, type TradeJson } from '../support/trading.ts';
import { sealAudit } from '../../src/audit/seal.ts';

let stack: TestStack;
let trader: string;

interface BasketJson {
  id: string;
  status: string;
  margin: number | null;
  legsAlone: number | null;
  hedged: boolean | null;
  reason: string | null;
  violations?: { rule: string; leg?: number; limit?: unknown; actual?: unknown }[];
  legs: TradeJson[];
}

const option = (right: 'CALL' | 'PUT', strike: number) => ({ symbol: 'NIFTY', exchange: 'NFO', product: 'OPTIONS', expiry: '2026-12-29', strike, right });
const leg = (side: 'BUY' | 'SELL', right: 'CALL' | 'PUT', strike: number, quantity = 65) => ({ ...option(right, strike), side, quantity, orderType: 'MARKET', intraday: false });
const PREMIUMS: [right: 'CALL' | 'PUT', strike: number, rupees: number][] = [
  ['PUT', 25_000, 80],
  ['PUT', 24_500, 30],
  ['CALL', 27_000, 70],
  ['CALL', 27_500, 25],
  ['CALL', 26_000, 150],
  ['CALL', 26_500, 90],
  ['PUT', 26_000, 110],
  ['PUT', 24_000, 20],
  ['CALL', 28_000, 10],
];
const condor = [leg('SELL', 'PUT', 25_000), leg('BUY', 'PUT', 24_500), leg('SELL', 'CALL', 27_000), leg('BUY', 'CALL', 27_500)];

async function post(body: unknown, key = randomUUID()): Promise<{ status: number; body: BasketJson; headers: Headers }> {
  const res = await stack.request('/baskets', { method: 'POST', token: trader, headers: { 'Idempotency-Key': key }, body: JSON.stringify(body) });
  return { status: res.status, body: (await res.json()) as BasketJson, headers: res.headers };
}

async function basketWhen(id: string, statuses: string[]): Promise<BasketJson> {
  return eventually(
    async () => {
      const res = await stack.request(`/baskets/${id}`, { token: trader });
      const b = (await res.json()) as BasketJson;
      return statuses.includes(b.status) && b;
    },
    60_000,
    `basket ${id} ${statuses.join('/')}`,
  );
}

/** The emulator's F&O allocation (the stack starts it at the account's capital). */
let fnoAllocationPaise = 0;

/** Leave the account `paise` of funds for new orders: the paper ledger's capital, or the emulated broker's F&O allocation. */
async function leaveFunds(paise: number): Promise<void> {
  const { sql } = stack.db;
  const accountId = stack.config.account.ACCOUNT_ID;
  const broker = fundsBrokerOf(stack.broker);
  if (stack.emulator && broker) {
    const f = await broker.readFunds();
    fnoAllocationPaise += paise - (f.fnoAllocatedPaise - f.fnoBlockedPaise - (await reservedMargin(sql, accountId)));
    stack.emulator.setFunds({ fnoPaise: fnoAllocationPaise });
    // the next check reads the broker's funds afresh
    await sql`delete from broker_funds where account_id = ${accountId}`;
    return;
  }
  const totals = await ledgerTotals(sql, accountId);
  await setCapital(sql, accountId, paise + totals.marginPaise + (await reservedMargin(sql, accountId)) - totals.cashPaise);
}

beforeAll(async () => {
  // Limits wide enough for index options; seven positions at most, so a basket counts as its legs.
  stack = await startStack({ settings: { RISK_MAX_TRADE_VALUE: '100000000', ACCOUNT_CAPITAL: '1000000000', RISK_MAX_POSITION_QUANTITY: '100000', RISK_MAX_OPEN_POSITIONS: '7' } });
  trader = (await stack.userWithRole('trader')).accessToken;
  fnoAllocationPaise = Math.round(stack.config.account.ACCOUNT_CAPITAL * 100);
  for (const [right, strike, rupees] of PREMIUMS) {
    await stack.market.setQuote({ symbol: 'NIFTY', exchange: 'NFO', product: 'OPTIONS', expiry: '2026-12-29', strikePaise: strike * 100, right }, rupees * 100);
  }
});
afterAll(async () => stack?.stop());

describe('baskets', () => {
  const key = randomUUID();
  let condorId = '';

  it('opens every leg of an iron condor that fills, reserving its maximum loss rather than its legs alone', async () => {
    const res = await post({ legs: condor }, key);
    expect(res.status).toBe(201);
    expect(res.headers.get('location')).toBe(`/baskets/${res.body.id}`);
    condorId = res.body.id;
    const open = await basketWhen(condorId, ['OPEN', 'FAILED']);
    expect(open.status).toBe('OPEN');
    expect(open.legs.map((l) => [l.status, l.filledQuantity])).toEqual(condor.map(() => ['OPEN', 65]));
    // wing 500 points less the credit (80 - 30 + 70 - 25 = 95) on 65 units
    expect(open.margin).toBe((500 - 95) * 65);
    expect(open.hedged).toBe(true);
    expect(open.margin!).toBeLessThan(open.legsAlone!);
    // each MARKET leg went out capped at its protective limit, kept with its reservation: no buy filled above it, no sell below
    const legs = await stack.db.sql<{ side: string; cap: number | null; entry: number }[]>`
      select r.side, r.price_paise as cap, t.entry_price_paise as entry from reservations r join trades t on t.id = r.trade_id
      where t.id in ${stack.db.sql(open.legs.map((l) => l.id))}`;
    expect(legs).toHaveLength(4);
    for (const l of legs) {
      expect(l.cap).not.toBeNull();
      if (l.side === 'BUY') expect(l.entry).toBeLessThanOrEqual(l.cap!);
      else expect(l.entry).toBeGreaterThanOrEqual(l.cap!);
    }
    await recordHistory(stack.client, `basket-${condorId}`, 'basketWorkflow', 'iron-condor-opens', workflowBundleCode());
  });

  it('makes one basket of the same Idempotency-Key sent twice', async () => {
    const again = await post({ legs: condor }, key);
    expect(again.status).toBe(200);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.body.id).toBe(condorId);
    expect(await stack.db.sql`select id from baskets`).toHaveLength(1);
    expect(await stack.db.sql`select id from trades where basket_id = ${condorId}`).toHaveLength(4);
    for (const l of again.body.legs) expect((await stack.market.orders(`${l.id}E`)).length).toBe(1);
  });

  it('refuses a basket as a whole when its legs would pass the open-position limit, sending nothing', async () => {
    const res = await post({ legs: [leg('BUY', 'CALL', 26_000), leg('SELL', 'CALL', 26_500), leg('BUY', 'PUT', 26_000), leg('BUY', 'PUT', 24_000)] });
    expect(res.status).toBe(422);
    expect(res.body.violations).toContainEqual(expect.objectContaining({ rule: 'MAX_OPEN_POSITIONS', leg: 4 }));
    const id = (res.body as unknown as { basketId: string }).basketId;
    const legs = await stack.db.sql<{ id: string; status: string }[]>`select id, status from trades where basket_id = ${id}`;
    expect(legs.map((l) => l.status)).toEqual(['REJECTED', 'REJECTED', 'REJECTED', 'REJECTED']);
    for (const l of legs) expect(await stack.market.orders(l.id)).toEqual([]);
  });

  it('unwinds the filled legs of a three-leg basket whose third leg the broker rejects: no open legs, every order audited', async () => {
    // the exchange refuses odd lots; with the rule pack's lot check off, only the broker stands in the way
    const admin = (await stack.login()).accessToken;
    const off = await stack.request('/risk/rules', { method: 'PUT', token: admin, body: JSON.stringify({ LOT_SIZE: false }) });
    expect(off.status).toBe(200);
    try {
      const res = await post({ legs: [leg('BUY', 'CALL', 26_000), leg('SELL', 'CALL', 26_500), leg('BUY', 'CALL', 28_000, 100)] });
      expect([201, 202]).toContain(res.status);
      const failed = await basketWhen(res.body.id, ['FAILED', 'OPEN']);
      expect(failed.status).toBe('FAILED');
      expect(failed.reason).toContain('leg 3 REJECTED');
      expect(failed.legs.map((l) => l.status)).toEqual(['CLOSED', 'CLOSED', 'REJECTED']);
      for (const l of failed.legs.slice(0, 2)) {
        const orders = await stack.market.orders(l.id);
        const bought = orders.filter((o) => o.tag.startsWith(`${l.id}E`)).reduce((n, o) => n + o.filledQuantity, 0);
        const sold = orders.filter((o) => o.tag.startsWith(`${l.id}X`)).reduce((n, o) => n + o.filledQuantity, 0);
        expect([bought, sold]).toEqual([65, 65]);
      }
      // refused: Breeze answers with an error and books nothing; the paper exchange books it REJECTED
      expect((await stack.market.orders(failed.legs[2]!.id)).filter((o) => o.status !== 'REJECTED')).toEqual([]);
      expect(await stack.db.sql`select status from orders where trade_id = ${failed.legs[2]!.id}`).toEqual([{ status: 'REJECTED' }]);

      // every order of every leg has its audit record, and the basket its own
      const ids = failed.legs.map((l) => l.id);
      const orders = await stack.db.sql<{ tag: string }[]>`select tag from orders where trade_id in ${stack.db.sql(ids)}`;
      await sealAudit(stack.db.sql);
      const audited = await stack.db.sql<{ tag: string }[]>`
        select payload->>'tag' as tag from audit_events where trade_id in ${stack.db.sql(ids)} and event_type in ('ORDER_PLACED', 'ORDER_REJECTED')`;
      expect(orders.length).toBe(5);
      expect(new Set(audited.map((a) => a.tag))).toEqual(new Set(orders.map((o) => o.tag)));
      await sealAudit(stack.db.sql);
      const basketEvents = await stack.db.sql<{ type: string }[]>`
        select event_type as type from audit_events where payload->>'basketId' = ${res.body.id} and event_type like 'BASKET_%' order by seq`;
      expect(basketEvents.map((e) => e.type)).toEqual(['BASKET_REQUESTED', 'BASKET_RESERVED', 'BASKET_FAILED']);
      await recordHistory(stack.client, `basket-${res.body.id}`, 'basketWorkflow', 'third-leg-rejected-unwound', workflowBundleCode());
    } finally {
      await stack.request('/risk/rules', { method: 'PUT', token: admin, body: JSON.stringify({ LOT_SIZE: true }) });
    }
  });

  it('cancels a leg not filled by its deadline and exits the leg that filled', async () => {
    // 110 is the last price of the 26,000 put: a buy limit at 105 rests unfilled
    const resting = { ...leg('BUY', 'PUT', 26_000), orderType: 'LIMIT', price: 105 };
    const res = await post({ legs: [leg('BUY', 'PUT', 24_000), resting], legDeadlineSeconds: 5 });
    expect([201, 202]).toContain(res.status);
    const failed = await basketWhen(res.body.id, ['FAILED', 'OPEN']);
    expect(failed.status).toBe('FAILED');
    expect(failed.reason).toContain('leg 2 not filled by its deadline');
    expect(failed.legs.map((l) => l.status)).toEqual(['CLOSED', 'CANCELLED']);
  });

  it('a basket whose margin exceeds funds is refused whole with INSUFFICIENT_FUNDS, nothing sent', async () => {
    await leaveFunds(20_000_00);
    // a 26,000/24,000 bull put spread: 2,000 points of width less 90 of credit (110 - 20), on 65 units
    const res = await post({ legs: [leg('SELL', 'PUT', 26_000), leg('BUY', 'PUT', 24_000)] });
    expect(res.status).toBe(422);
    const short = res.body.violations?.find((v) => v.rule === 'INSUFFICIENT_FUNDS');
    expect(short).toMatchObject({ limit: 20_000_00, actual: (2000 - 90) * 65 * 100 });
    expect(short?.leg).toBeUndefined();
    const id = (res.body as unknown as { basketId: string }).basketId;
    const legs = await stack.db.sql<{ id: string; status: string }[]>`select id, status from trades where basket_id = ${id} order by basket_leg`;
    expect(legs.map((l) => l.status)).toEqual(['REJECTED', 'REJECTED']);
    for (const l of legs) expect(await stack.market.orders(l.id)).toEqual([]);
    // live, Breeze's margin calculator priced the legs together
    if (stack.emulator) expect(stack.emulator.sent('POST', 'margincalculator').some((r) => ((r.body as { list_of_positions?: unknown[] }).list_of_positions ?? []).length === 2)).toBe(true);
  });

  it('a hedged spread that fits the funds is accepted while its legs alone would not', async () => {
    await leaveFunds(20_000_00);
    // the sold call alone needs 12 % of 26,500 × 65 (₹2,06,700): refused on its own
    const alone = await enter(stack, trader, leg('SELL', 'CALL', 26_500));
    expect(alone.status).toBe(422);
    expect((alone.body as unknown as BasketJson).violations?.map((v) => v.rule)).toContain('INSUFFICIENT_FUNDS');
    // with the bought 26,000 call it is a bull call spread: the net premium (150 - 90) on 65 units
    const res = await post({ legs: [leg('BUY', 'CALL', 26_000), leg('SELL', 'CALL', 26_500)] });
    expect(res.status).toBe(201);
    const open = await basketWhen(res.body.id, ['OPEN', 'FAILED']);
    expect(open.status).toBe('OPEN');
    // the basket shows rupees; violations and reservations are in paise
    expect(open.margin).toBe(60 * 65);
    expect(open.legsAlone!).toBeGreaterThan(20_000);
    expect(open.hedged).toBe(true);
    // the legs claimed the basket's reservation: neither checked its own margin against the funds
    expect(open.legs.map((l) => [l.status, l.filledQuantity])).toEqual([
      ['OPEN', 65],
      ['OPEN', 65],
    ]);
    const [reserved] = await stack.db.sql<{ m: number }[]>`select sum(margin_paise)::int8 as m from reservations where trade_id in ${stack.db.sql(open.legs.map((l) => l.id))}`;
    expect(reserved!.m).toBe(60 * 65 * 100);
    // once filled, the spread holds what it was reserved at, not its legs alone: a small order still fits
    if (stack.market.broker === 'paper') {
      const [held] = await stack.db.sql<{ m: number }[]>`select sum(margin_paise)::int8 as m from funds_ledger where trade_id in ${stack.db.sql(open.legs.map((l) => l.id))}`;
      expect(held!.m).toBe(60 * 65 * 100);
    }
    const small = await enter(stack, trader, leg('BUY', 'PUT', 24_000));
    expect(small.status).toBe(201);
  });

  it('answers 202 with the basket and its Location when no worker takes it up in time; the same key then joins it', async () => {
    const idle = createApp({ ...stack.deps, config: { ...stack.config, http: { ...stack.config.http, TRADE_ACK_WAIT_MS: 300 }, temporal: { ...stack.config.temporal, TEMPORAL_TASK_QUEUE: `nobody-${randomUUID()}` } } });
    const key = randomUUID();
    const send = () => idle.request('/baskets', { method: 'POST', headers: { authorization: `Bearer ${trader}`, 'content-type': 'application/json', 'Idempotency-Key': key }, body: JSON.stringify({ legs: condor }) });
    const first = await send();
    expect(first.status).toBe(202);
    const body = (await first.json()) as { id: string; outcome: string; workflowId: string };
    expect(body.outcome).toBe('accepted');
    expect(first.headers.get('location')).toBe(`/baskets/${body.id}`);
    const again = await send();
    expect(again.status).toBe(202);
    expect(((await again.json()) as { id: string }).id).toBe(body.id);
    await stack.client.workflow.getHandle(body.workflowId).terminate('test: nobody polls its task queue');
  });
});
