import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { chargeSchedule } from '../../src/config.ts';
import { parseSettings } from '../support/config.ts';
import { chargesForFill, DEFAULT_CHARGES, segmentOf } from '../../src/domain/charges.ts';

describe('charges per fill', () => {
  it('prices an intraday equity buy of ₹1,00,000 line by line', () => {
    expect(chargesForFill(DEFAULT_CHARGES, 'EQUITY_INTRADAY', 'BUY', 1_00_000_00, true)).toEqual({
      brokerage: 20_00,
      stt: 0,
      exchange: 297,
      sebi: 10,
      stamp: 300,
      gst: 415, // 18% of (₹20 + ₹2.97 + ₹0.10)
      total: 3022,
    });
  });

  it('charges STT on the sell side of intraday trades and stamp duty only on buys', () => {
    const sell = chargesForFill(DEFAULT_CHARGES, 'EQUITY_INTRADAY', 'SELL', 1_00_000_00, true);
    expect(sell.stt).toBe(2500);
    expect(sell.stamp).toBe(0);
    expect(chargesForFill(DEFAULT_CHARGES, 'EQUITY_DELIVERY', 'BUY', 1_00_000_00, true).stt).toBe(10_000);
  });

  it('charges brokerage once per order, capped by the turnover share', () => {
    expect(chargesForFill(DEFAULT_CHARGES, 'FUTURES', 'BUY', 1_00_000_00, false).brokerage).toBe(0);
    expect(chargesForFill(DEFAULT_CHARGES, 'EQUITY_INTRADAY', 'BUY', 1000_00, true).brokerage).toBe(250);
  });

  it('never charges a negative amount and grows with turnover', () => {
    fc.assert(
      fc.property(fc.constantFrom('EQUITY_DELIVERY', 'EQUITY_INTRADAY', 'FUTURES', 'OPTIONS' as const), fc.constantFrom('BUY', 'SELL' as const), fc.integer({ min: 1, max: 1e11 }), (segment, side, turnover) => {
        const a = chargesForFill(DEFAULT_CHARGES, segment, side, turnover, true);
        const b = chargesForFill(DEFAULT_CHARGES, segment, side, turnover * 2, true);
        expect(Object.values(a).every((v) => v >= 0)).toBe(true);
        expect(b.total).toBeGreaterThanOrEqual(a.total);
      }),
    );
  });

  it('maps products to segments', () => {
    expect(segmentOf('CASH', false)).toBe('EQUITY_DELIVERY');
    expect(segmentOf('CASH', true)).toBe('EQUITY_INTRADAY');
    expect(segmentOf('MARGIN', false)).toBe('EQUITY_INTRADAY');
    expect(segmentOf('OPTIONS', true)).toBe('OPTIONS');
  });

  it('takes a schedule override from CHARGES_SCHEDULE, and refuses a malformed one', () => {
    const schedule = chargeSchedule(parseSettings({ CHARGES_SCHEDULE: '{"brokeragePerOrderPaise":0,"segments":{"OPTIONS":{"sttSell":0.0015}}}' }).market);
    expect(schedule.brokeragePerOrderPaise).toBe(0);
    expect(schedule.segments.OPTIONS).toEqual({ ...DEFAULT_CHARGES.segments.OPTIONS, sttSell: 0.0015 });
    expect(schedule.segments.FUTURES).toEqual(DEFAULT_CHARGES.segments.FUTURES);
    expect(() => parseSettings({ CHARGES_SCHEDULE: '{"gst": 7}' })).toThrow(/CHARGES_SCHEDULE/);
    expect(() => parseSettings({ CHARGES_SCHEDULE: 'not json' })).toThrow(/CHARGES_SCHEDULE/);
  });
});
