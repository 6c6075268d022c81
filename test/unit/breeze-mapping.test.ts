import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { BrokerRejectedError } from '../../src/broker/errors.ts';
import { filledQuantityOf, orderFromRow, placeOrderBody, positionFromRow, statusFromBreeze } from '../../src/broker/breeze/mapping.ts';
import { orderRow, positionRow } from '../../src/broker/breeze/rows.ts';
import { createSecurityMaster, DEFAULT_STOCK_CODES, loadSecurityMaster, parseSecurityMaster } from '../../src/broker/breeze/security-master.ts';
import { fromBreezeDateTime, fromBreezeDay, toPaise, toRupeeString } from '../../src/broker/breeze/values.ts';

const master = createSecurityMaster(Object.entries(DEFAULT_STOCK_CODES));

describe('symbol mapping', () => {
  it('maps exchange symbols to ICICI codes and back', () => {
    expect(master.toStockCode('RELIANCE')).toBe('RELIND');
    expect(master.toStockCode('sbin')).toBe('STABAN');
    expect(master.toStockCode('BANKNIFTY')).toBe('CNXBAN');
    expect(master.toSymbol('RELIND')).toBe('RELIANCE');
  });

  it('refuses a symbol it does not know instead of guessing a code', () => {
    expect(() => master.toStockCode('HDFCBANK')).toThrow(BrokerRejectedError);
  });

  it('reads ICICI security master files, preferring the EQ series', async () => {
    const text = [
      '"Token","ShortName","Series","CompanyName","ExchangeCode"',
      '"1333","HDFBAN","BE","HDFC BANK LTD","HDFCBANK"',
      '"1334","HDFBAN","EQ","HDFC BANK LTD","HDFCBANK"',
      '"2885","RELIND","EQ","RELIANCE INDUSTRIES","RELIANCE"',
    ].join('\r\n');
    expect(parseSecurityMaster(text)).toEqual([
      ['HDFCBANK', 'HDFBAN'],
      ['RELIANCE', 'RELIND'],
    ]);
    const dir = mkdtempSync(path.join(tmpdir(), 'bt-master-'));
    const file = path.join(dir, 'NSEScripMaster.txt');
    writeFileSync(file, text);
    const loaded = await loadSecurityMaster(file);
    expect(loaded.toStockCode('HDFCBANK')).toBe('HDFBAN');
    expect(loaded.toStockCode('INFY')).toBe('INFTEC'); // the defaults stay
  });

  it('finds the streaming tokens of F&O contracts in the F&O file, by column position', async () => {
    const text = [
      '"Token","InstrumentName","ShortName","Series","ExpiryDate","StrikePrice","OptionType"',
      '"35001","FUTIDX","NIFTY","FUTIDX","29-Dec-2026","0","XX"',
      '"35002","OPTIDX","CNXBAN","OPTIDX","29-Dec-2026","52000.0","PE"',
      '"35003","OPTIDX","CNXBAN","OPTIDX","29-Dec-2026","52000","CE"',
    ].join('\r\n');
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'bt-fno-')), 'FONSEScripMaster.txt');
    writeFileSync(file, text);
    const loaded = await loadSecurityMaster(file);
    expect(loaded.streamToken({ symbol: 'NIFTY', exchange: 'NFO', product: 'FUTURES', expiry: '2026-12-29' })).toBe('35001');
    expect(loaded.streamToken({ symbol: 'BANKNIFTY', exchange: 'NFO', product: 'OPTIONS', expiry: '2026-12-29', strikePaise: 52_000_00, right: 'PUT' })).toBe('35002');
    expect(loaded.streamToken({ symbol: 'BANKNIFTY', exchange: 'NFO', product: 'OPTIONS', expiry: '2026-12-29', strikePaise: 52_000_00, right: 'CALL' })).toBe('35003');
    expect(loaded.streamToken({ symbol: 'NIFTY', exchange: 'NFO', product: 'FUTURES', expiry: '2027-01-26' })).toBeUndefined();
    expect(loaded.streamToken({ symbol: 'RELIANCE', exchange: 'NSE', product: 'CASH' })).toBe('2885');
  });
});

describe('Breeze values', () => {
  it('normalises rupee strings and numbers to paise', () => {
    expect(toPaise('2450.50')).toBe(245050);
    expect(toPaise('1,234.5')).toBe(123450);
    expect(toPaise(0.05)).toBe(5);
    expect(toPaise(null)).toBeUndefined();
    expect(toPaise('')).toBeUndefined();
    expect(toRupeeString(245050)).toBe('2450.50');
    expect(toRupeeString(5)).toBe('0.05');
  });

  it('reads Breeze dates and IST times', () => {
    expect(fromBreezeDay('27-Feb-2025')).toBe('2025-02-27');
    expect(fromBreezeDay('27-FEB-25')).toBe('2025-02-27');
    expect(fromBreezeDay('2025-02-27T06:00:00.000Z')).toBe('2025-02-27');
    expect(fromBreezeDateTime('05-Feb-2025 09:26')).toBe('2025-02-05T03:56:00.000Z');
    expect(fromBreezeDateTime('13-May-2024 14:28:02')).toBe('2024-05-13T08:58:02.000Z');
  });
});

describe('order mapping', () => {
  it('builds a lowercase limit-order body carrying the tag in user_remark', () => {
    const body = placeOrderBody(
      { accountId: 'main', tag: 'tabcdefghijklmnoE1', instrument: { symbol: 'NIFTY', exchange: 'NFO', product: 'OPTIONS', expiry: '2026-01-27', strikePaise: 2_480_000, right: 'CALL' }, side: 'BUY', quantity: 65, orderType: 'LIMIT', limitPricePaise: 12_050 },
      'NIFTY',
      12_050,
    );
    expect(body).toMatchObject({
      stock_code: 'NIFTY',
      exchange_code: 'NFO',
      product: 'options',
      action: 'buy',
      order_type: 'limit',
      quantity: '65',
      price: '120.50',
      validity: 'day',
      expiry_date: '2026-01-27T06:00:00.000Z',
      right: 'call',
      strike_price: '24800',
      user_remark: 'tabcdefghijklmnoE1',
    });
  });

  it('refuses margin products, which Breeze bars through the API', () => {
    expect(() => placeOrderBody({ accountId: 'main', tag: 't', instrument: { symbol: 'RELIANCE', exchange: 'NSE', product: 'MARGIN' }, side: 'BUY', quantity: 1, orderType: 'LIMIT' }, 'RELIND', 100)).toThrow(BrokerRejectedError);
  });

  it('maps Title-case order rows with string numbers to our order', () => {
    const row = orderRow.parse({
      order_id: '20250205N300001234',
      exchange_code: 'NSE',
      stock_code: 'RELIND',
      product_type: 'Cash',
      action: 'Sell',
      order_type: 'Limit',
      quantity: '10',
      price: '2450.00',
      average_price: '2451.25',
      pending_quantity: '0',
      cancelled_quantity: '0',
      status: 'Executed',
      user_remark: 'tag1',
      strike_price: 0.0,
      expiry_date: null,
    });
    expect(orderFromRow(row, master)).toEqual({
      brokerOrderId: '20250205N300001234',
      tag: 'tag1',
      instrument: { symbol: 'RELIANCE', exchange: 'NSE', product: 'CASH' },
      side: 'SELL',
      quantity: 10,
      status: 'FILLED',
      filledQuantity: 10,
      averagePricePaise: 245125,
      rejectReason: undefined,
      fills: [],
    });
  });

  it('maps every Breeze status word to one of our four', () => {
    expect(['Requested', 'Queued', 'Ordered', 'Partially Executed', 'Freezed'].map(statusFromBreeze)).toEqual(['OPEN', 'OPEN', 'OPEN', 'OPEN', 'OPEN']);
    expect(statusFromBreeze('Executed')).toBe('FILLED');
    expect(statusFromBreeze('Rejected')).toBe('REJECTED');
    expect(['Cancelled', 'Expired', 'Partially Executed And Expired', 'Partially Executed And Cancelled'].map(statusFromBreeze)).toEqual(['CANCELLED', 'CANCELLED', 'CANCELLED', 'CANCELLED']);
  });

  it('counts a partial fill from pending and cancelled quantities', () => {
    expect(filledQuantityOf(orderRow.parse({ order_id: '1', quantity: '100', pending_quantity: '0', cancelled_quantity: '60', status: 'Partially Executed And Cancelled' }))).toBe(40);
  });

  it('signs short positions by action when the quantity is unsigned', () => {
    const row = positionRow.parse({ exchange_code: 'NFO', stock_code: 'NIFTY', product_type: 'Futures', expiry_date: '27-Jan-2026', action: 'Sell', quantity: '65', average_price: '24500.00' });
    expect(positionFromRow(row, master)).toEqual({ instrument: { symbol: 'NIFTY', exchange: 'NFO', product: 'FUTURES', expiry: '2026-01-27' }, quantity: -65, averagePricePaise: 2_450_000 });
  });
});
