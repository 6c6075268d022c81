import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { breezeHttp, type HttpMethod } from '../../src/broker/breeze/http.ts';
import { sessionDay } from '../../src/broker/breeze/session.ts';
import { breezeTimestamp, checksum } from '../../src/broker/breeze/signing.ts';
import { toBreezeDate } from '../../src/broker/breeze/values.ts';
import { startBreezeEmulator } from '../../tools/breeze-emulator/server.ts';
import type { BreezeEmulator } from '../../tools/breeze-emulator/types.ts';

let emulator: BreezeEmulator;
let token: string;
let details: Record<string, unknown>;
beforeAll(async () => {
  emulator = await startBreezeEmulator({ appKey: 'wire-key', secretKey: 'wire-secret', maxSkewSeconds: 60 });
  const res = await breezeHttp({ method: 'GET', url: `${emulator.url}customerdetails`, headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ SessionToken: emulator.apiSession, AppKey: 'wire-key' }), timeoutMs: 2000, effect: 'read' });
  details = (JSON.parse(res.text) as { Success: Record<string, unknown> }).Success;
  token = String(details.session_token);
  emulator.setQuote({ exchange: 'NSE', stockCode: 'ITC', product: 'cash' }, { ltpPaise: 45000 });
});
afterAll(async () => emulator?.stop());

/** A request signed over `signedBody` but carrying `sentBody` (the same unless a test tampers). */
async function raw(method: HttpMethod, endpoint: string, signedBody: string, options: { sentBody?: string; at?: Date } = {}) {
  const timestamp = breezeTimestamp(options.at ?? new Date());
  const res = await breezeHttp({
    method,
    url: `${emulator.url}${endpoint}`,
    headers: { 'Content-Type': 'application/json', 'X-Checksum': `token ${checksum(timestamp, signedBody, 'wire-secret')}`, 'X-Timestamp': timestamp, 'X-AppKey': 'wire-key', 'X-SessionToken': token },
    body: options.sentBody ?? signedBody,
    timeoutMs: 2000,
    effect: 'read',
  });
  return { status: res.status, json: JSON.parse(res.text) as { Success?: unknown; Status: number; Error: string | null } };
}

const itcOrder = (extra: Record<string, string> = {}) => ({ stock_code: 'ITC', exchange_code: 'NSE', product: 'cash', action: 'buy', order_type: 'limit', quantity: '1', price: '451.00', validity: 'day', user_remark: 'wire', ...extra });

/** A new cash order of its own stock (so tests share no position), and its order id. */
async function placeCash(stockCode: string, fields: Record<string, string>): Promise<string> {
  const res = await raw('POST', 'order', JSON.stringify(itcOrder({ stock_code: stockCode, ...fields })));
  return (res.json.Success as { order_id: string }).order_id;
}

describe('Breeze emulator wire protocol', () => {
  it('exchanges an API_Session for the session token through unsigned customerdetails', () => {
    expect(details).toMatchObject({ idirect_userid: 'EMU00001', session_token: expect.any(String) as string });
  });

  it('verifies the checksum over the raw bytes, whatever the key order and spacing', async () => {
    const body = '{ "exchange_code" : "NSE",\n  "stock_code":"ITC", "product_type":"cash" }';
    expect((await raw('GET', 'quotes', body)).json).toMatchObject({ Status: 200, Error: null });
  });

  it('answers a body changed after signing with the real checksum envelope', async () => {
    const res = await raw('GET', 'funds', '{}', { sentBody: '{ }' });
    expect(res.json).toEqual({ Status: 5, Error: 'Authentication Fail :: Invalid Checksum.' });
  });

  it('refuses a timestamp far from its clock', async () => {
    const res = await raw('GET', 'funds', '{}', { at: new Date(Date.now() - 10 * 60_000) });
    expect(res.json.Status).toBe(5);
    expect(res.json.Error).toMatch(/^Authentication Fail/);
  });

  it("denies market orders with Breeze's text on a non-2xx status, and margin products", async () => {
    const before = emulator.book.orders.size;
    const market = await raw('POST', 'order', JSON.stringify(itcOrder({ order_type: 'market' })));
    expect(market.status).toBe(400);
    expect(market.json.Error).toBe("Request Denied: Kindly pass 'limit' as parameter in order_type field instead of market");
    const margin = await raw('POST', 'order', JSON.stringify(itcOrder({ product: 'margin' })));
    expect(margin.json).toMatchObject({ Success: null, Status: 500 });
    expect(emulator.book.orders.size).toBe(before);
  });

  it('compares request enums case-blind (a "Limit" order is accepted, I#160)', async () => {
    const res = await raw('POST', 'order', JSON.stringify(itcOrder({ order_type: 'Limit', action: 'BUY' })));
    expect(res.json).toMatchObject({ Status: 200, Success: { order_id: expect.stringMatching(/^\d{8}N\d{9}$/) } });
  });

  it('answers an unknown order with "No data found"', async () => {
    const res = await raw('GET', 'order', JSON.stringify({ exchange_code: 'NSE', order_id: '20250205N399999999' }));
    expect(res.json).toEqual({ Success: null, Status: 500, Error: 'No data found' });
  });

  it('refuses calls past its per-minute limit with the "Limit exceed" envelope', async () => {
    emulator.windows.limits = { ...emulator.windows.limits, perMinute: 1 };
    emulator.windows.reset();
    try {
      await raw('GET', 'funds', '{}');
      expect((await raw('GET', 'funds', '{}')).json).toEqual({ Status: 5, Error: 'Limit exceed: API call per minute:Try after some time' });
    } finally {
      emulator.windows.limits = { ...emulator.windows.limits, perMinute: 100 };
      emulator.windows.reset();
    }
  });

  it('takes quotes, faults and logins through its control API', async () => {
    const control = (path: string, body: unknown) => breezeHttp({ method: 'POST', url: `http://127.0.0.1:${emulator.port}/__control/${path}`, headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body), timeoutMs: 2000, effect: 'read' });
    expect((await control('quotes', { stock_code: 'ITC', exchange_code: 'NSE', ltp: '452.5' })).status).toBe(200);
    const quote = await raw('GET', 'quotes', JSON.stringify({ stock_code: 'ITC', exchange_code: 'NSE', product_type: 'cash' }));
    // one row per exchange, NSE first; BSE follows NSE's price until set on its own
    expect(quote.json.Success).toEqual([expect.objectContaining({ ltp: 452.5, stock_code: 'ITC', exchange_code: 'NSE' }), expect.objectContaining({ ltp: 452.5, exchange_code: 'BSE' })]);
    expect((await control('faults', { kind: 'gateway', endpoint: 'funds', status: 503 })).status).toBe(200);
    const page = await breezeHttp({ method: 'GET', url: `${emulator.url}funds`, headers: {}, body: '{}', timeoutMs: 2000, effect: 'read' });
    expect(page.status).toBe(503);
    expect(page.contentType).toContain('text/html');
    const login = JSON.parse((await control('login', {})).text) as { api_session: string };
    expect(login.api_session).toMatch(/^\d+$/);
  });

  it('modifies a resting order and fills it when the new price crosses the quote (PUT order)', async () => {
    emulator.setQuote({ exchange: 'NSE', stockCode: 'SBIN', product: 'cash' }, { ltpPaise: 60000 });
    const orderId = await placeCash('SBIN', { quantity: '3', price: '590.00' });
    const change = JSON.stringify({ exchange_code: 'NSE', order_id: orderId, order_type: 'limit', price: '601.00', validity: 'day' });
    expect((await raw('PUT', 'order', change)).json).toEqual({ Success: { message: 'Successfully Modified the order', order_id: orderId }, Status: 200, Error: null });
    const detail = await raw('GET', 'order', JSON.stringify({ exchange_code: 'NSE', order_id: orderId }));
    expect(detail.json.Success).toEqual([expect.objectContaining({ status: 'Executed', price: '601.00', average_price: '600.00', modification_number: '1' })]);
    expect((await raw('PUT', 'order', change)).json).toEqual({ Success: null, Status: 500, Error: 'Order has already been executed and cannot be modified.' });
  });

  it("returns an order's user_remark in its detail as it was sent (tag, strategy and algo id)", async () => {
    const orderId = await placeCash('TATSTE', { price: '100.00', user_remark: 'tabcdefghijklmnoE1:momentum:NSE-ALGO-42' });
    const detail = await raw('GET', 'order', JSON.stringify({ exchange_code: 'NSE', order_id: orderId }));
    expect(detail.json.Success).toEqual([expect.objectContaining({ order_id: orderId, user_remark: 'tabcdefghijklmnoE1:momentum:NSE-ALGO-42' })]);
  });

  it('lists the trade book and holdings of an exchange as Breeze prints them', async () => {
    emulator.setQuote({ exchange: 'NSE', stockCode: 'INFTEC', product: 'cash' }, { ltpPaise: 150000 });
    const orderId = await placeCash('INFTEC', { quantity: '4', price: '1510.00' });
    const today = toBreezeDate(sessionDay(new Date()));
    const trades = await raw('GET', 'trades', JSON.stringify({ exchange_code: 'NSE', from_date: today, to_date: today }));
    expect(trades.json.Success).toContainEqual(expect.objectContaining({ order_id: orderId, stock_code: 'INFTEC', action: 'Buy', quantity: '4', average_cost: '1500.00', product_type: 'Cash' }));
    const holdings = await raw('GET', 'portfolioholdings', JSON.stringify({ exchange_code: 'NSE' }));
    expect(holdings.json.Success).toContainEqual(expect.objectContaining({ stock_code: 'INFTEC', quantity: '4', average_price: '1500.00', current_market_price: '1500.00' }));
  });

  it('squares a position off with its own key names and an order id of the equity shape (POST squareoff)', async () => {
    emulator.setQuote({ exchange: 'NSE', stockCode: 'WIPRO', product: 'cash' }, { ltpPaise: 50000 });
    await placeCash('WIPRO', { quantity: '2', price: '500.00' });
    const body = { source_flag: '', stock_code: 'WIPRO', exchange_code: 'NSE', product_type: 'cash', expiry_date: '', right: '', strike_price: '', quantity: '2', price: '500.00', action: 'sell', order_type: 'limit', validity: 'day', stoploss_price: '' };
    const res = await raw('POST', 'squareoff', JSON.stringify(body));
    expect(res.json).toMatchObject({ Status: 200, Success: { order_id: expect.stringMatching(/^\d{8}N\d{9}$/) as string, indicator: '0' } });
    const positions = await raw('GET', 'portfoliopositions', '{}');
    expect((positions.json.Success as unknown[] | null) ?? []).not.toContainEqual(expect.objectContaining({ stock_code: 'WIPRO' }));
  });
});
