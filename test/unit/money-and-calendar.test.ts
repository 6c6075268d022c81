import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { istInstant, istParts, marketStatus, pastIntradayCutoff, squareOffInstant } from '../../src/domain/market-calendar.ts';
import { formatRupees, fractionOf, paiseToRupees, rupeesToPaise } from '../../src/domain/money.ts';
import { exitTrigger } from '../../src/domain/exit-triggers.ts';
import { grossPnl } from '../../src/domain/trade.ts';

describe('money', () => {
  it('converts every whole number of paise to rupees and back exactly', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1e13 }), (paise) => {
        expect(rupeesToPaise(paiseToRupees(paise))).toBe(paise);
      }),
    );
  });

  it('refuses fractions of a paisa and non-numbers', () => {
    expect(rupeesToPaise(2450.505)).toBeUndefined();
    expect(rupeesToPaise(1.005)).toBeUndefined();
    expect(rupeesToPaise(Number.NaN)).toBeUndefined();
    expect(rupeesToPaise(Number.POSITIVE_INFINITY)).toBeUndefined();
    expect(rupeesToPaise(2450.5)).toBe(245050);
    expect(rupeesToPaise(0.3)).toBe(30);
    // 0.30000000000000004 is what a client sends when it computed 0.1 + 0.2: not a whole number of paise
    expect(rupeesToPaise(0.1 + 0.2)).toBeUndefined();
  });

  it('formats rupees with Indian grouping', () => {
    expect(formatRupees(1_00_000_00)).toBe('₹1,00,000.00');
    expect(formatRupees(-5_00)).toBe('-₹5.00');
  });

  it('takes basis-point shares rounding down', () => {
    expect(fractionOf(1001, 4000)).toBe(400);
  });

  it('computes P&L in paise for both sides', () => {
    expect(grossPnl('BUY', 10, 245000, 246000)).toBe(10000);
    expect(grossPnl('SELL', 10, 245000, 246000)).toBe(-10000);
  });
});

describe('the NSE calendar (IST)', () => {
  const at = (iso: string) => new Date(iso);
  const none = new Set<string>();

  it('converts UTC instants to the IST wall clock and back', () => {
    expect(istParts(at('2026-11-27T03:45:00Z'))).toEqual({ date: '2026-11-27', weekday: 5, minutes: 9 * 60 + 15 });
    expect(istParts(at('2026-11-27T20:00:00Z')).date).toBe('2026-11-28');
    expect(istInstant('2026-11-27', '15:15').toISOString()).toBe('2026-11-27T09:45:00.000Z');
  });

  it('is open from 09:15 to 15:30 IST on weekdays', () => {
    expect(marketStatus(at('2026-11-27T03:44:59Z'), 'nse', none).open).toBe(false);
    expect(marketStatus(at('2026-11-27T03:45:00Z'), 'nse', none).open).toBe(true);
    expect(marketStatus(at('2026-11-27T09:59:59Z'), 'nse', none).open).toBe(true);
    expect(marketStatus(at('2026-11-27T10:00:00Z'), 'nse', none).open).toBe(false);
    expect(marketStatus(at('2026-11-27T03:35:00Z'), 'nse', none).phase).toBe('PRE_OPEN');
  });

  it('is closed on weekends and exchange holidays, and always open in always mode', () => {
    expect(marketStatus(at('2026-11-28T05:00:00Z'), 'nse', none)).toMatchObject({ open: false, reason: 'weekend' });
    expect(marketStatus(at('2026-11-24T05:00:00Z'), 'nse', new Set(['2026-11-24']))).toMatchObject({ open: false, reason: 'exchange holiday' });
    expect(marketStatus(at('2026-11-28T23:00:00Z'), 'always', none).open).toBe(true);
  });

  it('squares off at the configured IST time, and never in always mode or when off', () => {
    expect(squareOffInstant(at('2026-11-27T05:00:00Z'), 'nse', '15:15')?.toISOString()).toBe('2026-11-27T09:45:00.000Z');
    expect(squareOffInstant(at('2026-11-27T05:00:00Z'), 'always', '15:15')).toBeUndefined();
    expect(squareOffInstant(at('2026-11-27T05:00:00Z'), 'nse', 'off')).toBeUndefined();
    expect(pastIntradayCutoff(at('2026-11-27T09:45:00Z'), 'nse', '15:15')).toBe(true);
    expect(pastIntradayCutoff(at('2026-11-27T09:44:59Z'), 'nse', '15:15')).toBe(false);
  });
});

describe('exit triggers', () => {
  it('fire the stop-loss below (long) or above (short), and the target the other way', () => {
    expect(exitTrigger('BUY', 99, 100, 120)).toBe('STOP_LOSS');
    expect(exitTrigger('BUY', 120, 100, 120)).toBe('TARGET');
    expect(exitTrigger('BUY', 110, 100, 120)).toBeUndefined();
    expect(exitTrigger('SELL', 101, 100, 80)).toBe('STOP_LOSS');
    expect(exitTrigger('SELL', 80, 100, 80)).toBe('TARGET');
  });
});
