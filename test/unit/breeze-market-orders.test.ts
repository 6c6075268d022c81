import { describe, expect, it } from 'vitest';
import { protectiveLimitPrice, tickPaise } from '../../src/broker/breeze/market-orders.ts';

const cash = { exchange: 'NSE' as const, product: 'CASH' as const, stockCode: 'RELIND' };

describe('market orders as protective limits', () => {
  it('buys cash at LTP + 3 % on the tick', () => {
    expect(protectiveLimitPrice({ ...cash, side: 'BUY', lastPricePaise: 245000 })).toBe(252350);
  });

  it('sells cash at LTP − 3 %, rounded toward the LTP', () => {
    // 2450 − 73.50 = 2376.50 on a 0.10 tick
    expect(protectiveLimitPrice({ ...cash, side: 'SELL', lastPricePaise: 245000 })).toBe(237650);
    // 123.45 − 3.7035 = 119.7465 → 119.75 on a 0.01 tick (up, toward the LTP)
    expect(protectiveLimitPrice({ ...cash, side: 'SELL', lastPricePaise: 12345 })).toBe(11975);
  });

  it('uses 1.5 % for futures and 10 % for options', () => {
    const fut = { exchange: 'NFO' as const, product: 'FUTURES' as const, stockCode: 'NIFTY', lastPricePaise: 2_450_000 };
    // 24500 + 367.50 = 24867.50 on the 0.10 index-futures tick (LTP 15 000–30 000)
    expect(protectiveLimitPrice({ ...fut, side: 'BUY' })).toBe(2_486_750);
    const opt = { exchange: 'NFO' as const, product: 'OPTIONS' as const, stockCode: 'NIFTY', lastPricePaise: 20_000 };
    expect(protectiveLimitPrice({ ...opt, side: 'BUY' })).toBe(22_000);
  });

  it('applies the floors: 5 points for options, 0.05 for the others', () => {
    const opt = { exchange: 'NFO' as const, product: 'OPTIONS' as const, stockCode: 'NIFTY', lastPricePaise: 1_000 };
    expect(protectiveLimitPrice({ ...opt, side: 'BUY' })).toBe(1_500);
    expect(protectiveLimitPrice({ ...cash, side: 'BUY', lastPricePaise: 100 })).toBe(105);
  });

  it('clips to the upper and lower circuit from the quote', () => {
    expect(protectiveLimitPrice({ ...cash, side: 'BUY', lastPricePaise: 245000, upperCircuitPaise: 250000, lowerCircuitPaise: 230000 })).toBe(250000);
    expect(protectiveLimitPrice({ ...cash, side: 'SELL', lastPricePaise: 245000, upperCircuitPaise: 260000, lowerCircuitPaise: 240000 })).toBe(240000);
  });

  it('never prices a sell below one tick', () => {
    const opt = { exchange: 'NFO' as const, product: 'OPTIONS' as const, stockCode: 'NIFTY', lastPricePaise: 200 };
    expect(protectiveLimitPrice({ ...opt, side: 'SELL' })).toBe(5);
  });

  it('follows the SDK tick table', () => {
    expect(tickPaise({ ...cash, lastPricePaise: 24_999 })).toBe(1);
    expect(tickPaise({ ...cash, lastPricePaise: 99_999 })).toBe(5);
    expect(tickPaise({ ...cash, lastPricePaise: 499_999 })).toBe(10);
    expect(tickPaise({ ...cash, lastPricePaise: 999_999 })).toBe(50);
    expect(tickPaise({ ...cash, lastPricePaise: 1_999_999 })).toBe(100);
    expect(tickPaise({ ...cash, lastPricePaise: 2_000_000 })).toBe(500);
    expect(tickPaise({ exchange: 'NFO', product: 'FUTURES', stockCode: 'CNXBAN', lastPricePaise: 5_200_000 })).toBe(20);
    expect(tickPaise({ exchange: 'BSE', product: 'CASH', stockCode: 'XYZ', lastPricePaise: 10_000 })).toBe(1);
    expect(tickPaise({ exchange: 'BSE', product: 'CASH', stockCode: 'XYZ', lastPricePaise: 10_001 })).toBe(5);
    expect(tickPaise({ exchange: 'BFO', product: 'OPTIONS', stockCode: 'BSESEN', lastPricePaise: 10_001 })).toBe(5);
  });
});
