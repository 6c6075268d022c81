import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sessionDay } from '../../src/broker/breeze/session.ts';
import { toBreezeDate } from '../../src/broker/breeze/values.ts';
import type { EmuInstrument } from '../../tools/breeze-emulator/book.ts';
import { startBreezeEmulator } from '../../tools/breeze-emulator/server.ts';
import type { BreezeEmulator } from '../../tools/breeze-emulator/types.ts';
import { type Envelope, sessionTokenOf, signedCall } from '../support/breeze-wire.ts';

let emulator: BreezeEmulator;
let sessionToken: string;
beforeAll(async () => {
  emulator = await startBreezeEmulator({ appKey: 'market-key', secretKey: 'market-secret', limits: { perSecond: 1000 }, instruments: [{ exchange: 'NSE', stockCode: 'TICKY', tickPaise: 10 }] });
  sessionToken = await sessionTokenOf(emulator, 'market-key');
});
afterAll(async () => emulator?.stop());

const call = (method: 'GET' | 'POST' | 'PUT' | 'DELETE', endpoint: string, body: unknown) => signedCall(emulator, { appKey: 'market-key', secretKey: 'market-secret', sessionToken }, method, endpoint, body);
const cash = (stockCode: string): EmuInstrument => ({ exchange: 'NSE', stockCode, product: 'cash' });
const order = (stockCode: string, fields: Record<string, string>) => ({ stock_code: stockCode, exchange_code: 'NSE', product: 'cash', action: 'buy', order_type: 'limit', quantity: '1', price: '100.00', validity: 'day', user_remark: 'market', ...fields });

async function place(stockCode: string, fields: Record<string, string>): Promise<string> {
  const res = await call('POST', 'order', order(stockCode, fields));
  expect(res).toMatchObject({ Status: 200 });
  return (res.Success as { order_id: string }).order_id;
}

async function detail(orderId: string): Promise<Record<string, unknown>> {
  const res = await call('GET', 'order', { exchange_code: 'NSE', order_id: orderId });
  return (res.Success as Record<string, unknown>[])[0]!;
}

describe('Breeze emulator market model', () => {
  it('rests a sell stop-loss until the last price touches its trigger, then fills it as a limit', async () => {
    emulator.setQuote(cash('STOPA'), { ltpPaise: 10500 });
    const id = await place('STOPA', { action: 'sell', order_type: 'stoploss', stoploss: '100.00', price: '99.00' });
    expect(await detail(id)).toMatchObject({ status: 'Ordered', order_type: 'StopLoss', stoploss: '100.00', price: '99.00' });
    emulator.setQuote(cash('STOPA'), { ltpPaise: 10010 });
    expect(await detail(id)).toMatchObject({ status: 'Ordered' });
    emulator.setQuote(cash('STOPA'), { ltpPaise: 10000, bidPaise: 9995 });
    expect(await detail(id)).toMatchObject({ status: 'Executed', average_price: '99.95' });
  });

  it('keeps a gapped-through stop working as a limit at its limit price', async () => {
    emulator.setQuote(cash('STOPB'), { ltpPaise: 10500 });
    const id = await place('STOPB', { action: 'sell', order_type: 'stoploss', stoploss: '100.00', price: '99.00' });
    emulator.setQuote(cash('STOPB'), { ltpPaise: 9500 });
    expect(await detail(id)).toMatchObject({ status: 'Ordered', pending_quantity: '1' });
    emulator.setQuote(cash('STOPB'), { ltpPaise: 9800 });
    expect(await detail(id)).toMatchObject({ status: 'Ordered' });
    emulator.setQuote(cash('STOPB'), { ltpPaise: 9920 });
    expect(await detail(id)).toMatchObject({ status: 'Executed', average_price: '99.20' });
  });

  it('triggers a buy stop when the price rises to it', async () => {
    emulator.setQuote(cash('STOPC'), { ltpPaise: 10000 });
    const id = await place('STOPC', { action: 'buy', order_type: 'stoploss', stoploss: '102.00', price: '103.00' });
    emulator.setQuote(cash('STOPC'), { ltpPaise: 10150 });
    expect(await detail(id)).toMatchObject({ status: 'Ordered' });
    emulator.setQuote(cash('STOPC'), { ltpPaise: 10200 });
    expect(await detail(id)).toMatchObject({ status: 'Executed', average_price: '102.00' });
  });

  it('refuses a stop-loss without a trigger or with its limit beyond the trigger', async () => {
    expect(await call('POST', 'order', order('STOPD', { action: 'sell', order_type: 'stoploss', price: '99.00' }))).toMatchObject({ Success: null, Status: 500, Error: expect.stringMatching(/stoploss/) as string });
    expect(await call('POST', 'order', order('STOPD', { action: 'sell', order_type: 'stoploss', stoploss: '100.00', price: '101.00' }))).toMatchObject({ Success: null, Status: 500 });
  });

  it('refuses quantities off the lot size and prices off the tick, with the error envelope', async () => {
    const before = emulator.book.orders.size;
    const lot = await call('POST', 'order', { stock_code: 'NIFTY', exchange_code: 'NFO', product: 'futures', expiry_date: '29-Dec-2026', right: 'others', strike_price: '0', action: 'buy', order_type: 'limit', quantity: '50', price: '24500.00', validity: 'day', user_remark: 'lot' });
    expect(lot).toEqual({ Success: null, Status: 500, Error: 'Quantity should be in multiples of lot size: 65' });
    const tick = await call('POST', 'order', order('ITC', { price: '450.03' }));
    expect(tick).toEqual({ Success: null, Status: 500, Error: 'Price should be in multiples of tick size: 0.05' });
    const configured = await call('POST', 'order', order('TICKY', { price: '100.05' }));
    expect(configured.Error).toBe('Price should be in multiples of tick size: 0.10');
    const unknown = await call('POST', 'order', { stock_code: 'NOSUCH', exchange_code: 'NFO', product: 'futures', expiry_date: '29-Dec-2026', action: 'buy', order_type: 'limit', quantity: '1', price: '100.00', validity: 'day' });
    expect(unknown).toMatchObject({ Success: null, Status: 500 });
    expect(emulator.book.orders.size).toBe(before);
    expect(await call('POST', 'order', { stock_code: 'NIFTY', exchange_code: 'NFO', product: 'futures', expiry_date: '29-Dec-2026', action: 'buy', order_type: 'limit', quantity: '130', price: '24500.05', validity: 'day' })).toMatchObject({ Status: 200 });
  });

  it('returns an NSE and a BSE row for an equity quote, NSE first, whichever exchange was asked', async () => {
    emulator.setQuote(cash('RELIND'), { ltpPaise: 245000 });
    emulator.setQuote({ exchange: 'BSE', stockCode: 'RELIND', product: 'cash' }, { ltpPaise: 245100 });
    for (const exchange of ['NSE', 'BSE']) {
      const res = await call('GET', 'quotes', { stock_code: 'RELIND', exchange_code: exchange, product_type: 'cash', right: '', strike_price: '', expiry_date: '' });
      expect(res.Success).toEqual([expect.objectContaining({ exchange_code: 'NSE', ltp: 2450 }), expect.objectContaining({ exchange_code: 'BSE', ltp: 2451 })]);
    }
    emulator.setQuote(cash('WIPRO'), { ltpPaise: 50000 });
    const mirrored = await call('GET', 'quotes', { stock_code: 'WIPRO', exchange_code: 'BSE', product_type: 'cash' });
    expect((mirrored.Success as unknown[]).map((r) => (r as { exchange_code: string; ltp: number }).ltp)).toEqual([500, 500]);
  });

  it('filters the trade list by dates, action, product and stock', async () => {
    emulator.setQuote(cash('FILTA'), { ltpPaise: 10000 });
    emulator.setQuote(cash('FILTB'), { ltpPaise: 10000 });
    const buyA = await place('FILTA', { quantity: '3' });
    const sellA = await place('FILTA', { action: 'sell', quantity: '1', price: '100.00' });
    const buyB = await place('FILTB', { quantity: '2' });
    const today = toBreezeDate(sessionDay(new Date()));
    const ids = (res: Envelope) => ((res.Success as { order_id: string }[] | null) ?? []).map((r) => r.order_id);
    const list = (filters: Record<string, string>) => call('GET', 'trades', { exchange_code: 'NSE', from_date: today, to_date: today, product_type: '', action: '', stock_code: '', ...filters });
    expect(ids(await list({ stock_code: 'FILTA' })).sort()).toEqual([buyA, sellA].sort());
    expect(ids(await list({ stock_code: 'FILTA', action: 'Sell' }))).toEqual([sellA]);
    expect(ids(await list({ action: 'buy' }))).toEqual(expect.arrayContaining([buyA, buyB]));
    expect(ids(await list({ product_type: 'futures', stock_code: 'FILTB' }))).toEqual([]);
    expect(ids(await list({ product_type: 'Cash', stock_code: 'FILTB' }))).toEqual([buyB]);
    expect(await list({ from_date: '2020-01-01T06:00:00.000Z', to_date: '2020-01-02T06:00:00.000Z', stock_code: 'FILTA' })).toMatchObject({ Status: 500, Error: 'No data found' });
  });

  it('keeps the average price after a partial close and resets it when the position flips', async () => {
    const avg = async () => {
      const res = await call('GET', 'portfoliopositions', {});
      return (res.Success as { stock_code: string; action: string; quantity: string; average_price: string }[]).find((p) => p.stock_code === 'AVGX');
    };
    emulator.setQuote(cash('AVGX'), { ltpPaise: 10000 });
    await place('AVGX', { quantity: '10', price: '100.00' });
    emulator.setQuote(cash('AVGX'), { ltpPaise: 11000 });
    await place('AVGX', { quantity: '10', price: '110.00' });
    expect(await avg()).toMatchObject({ action: 'Buy', quantity: '20', average_price: '105.00' });
    emulator.setQuote(cash('AVGX'), { ltpPaise: 12000 });
    await place('AVGX', { action: 'sell', quantity: '15', price: '120.00' });
    expect(await avg()).toMatchObject({ action: 'Buy', quantity: '5', average_price: '105.00' });
    emulator.setQuote(cash('AVGX'), { ltpPaise: 9000 });
    await place('AVGX', { action: 'sell', quantity: '8', price: '90.00' });
    expect(await avg()).toMatchObject({ action: 'Sell', quantity: '3', average_price: '90.00' });
  });
});
