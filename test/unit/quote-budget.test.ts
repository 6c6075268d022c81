import { describe, expect, it } from 'vitest';
import { createQuoteRation } from '../../src/activities/quote-ration.ts';
import { fallbackQuotesPerMinute, orderStatusReadsPerMinute, SESSION_MINUTES } from '../../src/domain/quote-budget.ts';
import type { Instrument } from '../../src/domain/trade.ts';

const BREEZE = { callsPerMinute: 100, callsPerDay: 5000, orderReservePerMinute: 20, orderReservePerDay: 500 };
const instruments: Instrument[] = ['RELIANCE', 'ITC', 'SBIN'].map((symbol) => ({ symbol, exchange: 'NSE', product: 'CASH' }));

describe('fallback REST quotes', () => {
  it('fits a whole session of quotes inside the day budget left after the order reserve', () => {
    const perMinute = fallbackQuotesPerMinute(BREEZE);
    expect(perMinute).toBe(6);
    expect(perMinute * SESSION_MINUTES).toBeLessThanOrEqual((BREEZE.callsPerDay - BREEZE.orderReservePerDay) / 2);
    expect(perMinute).toBeLessThanOrEqual(BREEZE.callsPerMinute - BREEZE.orderReservePerMinute);
  });

  it('leaves room, with the order-status reads, for a whole session of both within the day budget', () => {
    const reads = fallbackQuotesPerMinute(BREEZE) + orderStatusReadsPerMinute(BREEZE);
    expect(orderStatusReadsPerMinute(BREEZE)).toBe(3);
    expect(reads * SESSION_MINUTES).toBeLessThan(BREEZE.callsPerDay - BREEZE.orderReservePerDay);
  });

  it('asks the broker no more often than the allowance, however many positions ask', async () => {
    let now = 0;
    const calls: number[] = [];
    const ration = createQuoteRation({
      quote: async () => {
        calls.push(now);
        return { lastPricePaise: 100_00, at: new Date(now).toISOString() };
      },
      perMinute: 6,
      now: () => now,
    });
    // three instruments, ten positions on each, every one asking every second for an hour
    for (; now < 3_600_000; now += 1_000) for (const instrument of instruments) for (let p = 0; p < 10; p++) await ration.get(instrument);
    for (let minute = 0; minute < 60; minute++) expect(calls.filter((t) => t >= minute * 60_000 && t < (minute + 1) * 60_000).length).toBeLessThanOrEqual(6);
    expect(calls.length).toBeGreaterThanOrEqual(6 * 59);
  });

  it('shares one quote of an instrument between its positions', async () => {
    let calls = 0;
    const ration = createQuoteRation({ quote: async () => ({ lastPricePaise: 100_00 + calls++, at: '2026-01-05T04:00:00.000Z' }), perMinute: 6, now: () => 0 });
    const quotes = await Promise.all([1, 2, 3].map(() => ration.get(instruments[0]!)));
    expect(calls).toBe(1);
    expect(new Set(quotes.map((q) => q?.lastPricePaise)).size).toBe(1);
  });
});
