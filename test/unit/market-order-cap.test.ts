import { describe, expect, it } from 'vitest';
import { fillPrice } from '../../src/broker/paper/matching.ts';
import { priceEntry } from '../../src/activities/funds.ts';
import { protectiveLimitPrice } from '../../src/broker/breeze/market-orders.ts';
import type { TradeRequest } from '../../src/domain/trade.ts';

const buy: TradeRequest = { instrument: { symbol: 'RELIANCE', exchange: 'NSE', product: 'CASH' }, side: 'BUY', quantity: 10, orderType: 'MARKET', intraday: false };

describe('a MARKET order can never fill above its reservation', () => {
  it('is reserved at its protective limit, not the last price', () => {
    const entry = priceEntry(buy, 2450_00, 'RELIND', undefined)!;
    expect(entry.capPaise).toBe(protectiveLimitPrice({ side: 'BUY', exchange: 'NSE', product: 'CASH', stockCode: 'RELIND', lastPricePaise: 2450_00 }));
    expect(entry.reservePaise).toBe(2523_50);
    expect(entry.leg.pricePaise).toBe(2523_50);
    // a sell's protective limit is a floor: it is valued at the last price
    expect(priceEntry({ ...buy, side: 'SELL' }, 2450_00, 'RELIND', undefined)).toMatchObject({ reservePaise: 2450_00, capPaise: 2376_50 });
  });

  it('fills on the paper exchange at no worse than the protective limit, and waits while the price is past it', () => {
    // 5 % slippage would buy at 2572.50; the protection holds it at 2523.50
    expect(fillPrice('BUY', 'MARKET', 2523_50, 2450_00, 500)).toBe(2523_50);
    expect(fillPrice('BUY', 'MARKET', 2523_50, 2450_00, 10)).toBeLessThanOrEqual(2523_50);
    expect(fillPrice('BUY', 'MARKET', 2523_50, 2600_00, 10)).toBeUndefined();
    expect(fillPrice('SELL', 'MARKET', 2376_50, 2450_00, 500)).toBe(2376_50);
    expect(fillPrice('SELL', 'MARKET', 2376_50, 2300_00, 10)).toBeUndefined();
  });

  it('still fills an unprotected MARKET order (an exit) at the last price with slippage', () => {
    expect(fillPrice('SELL', 'MARKET', undefined, 2300_00, 0)).toBe(2300_00);
  });
});
