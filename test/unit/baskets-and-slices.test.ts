import { describe, expect, it } from 'vitest';
import { basketMargin, type MarginLeg } from '../../src/domain/basket-margin.ts';
import { freezeSlices, maxSliceQuantity } from '../../src/domain/freeze-slices.ts';
import type { Instrument, OptionRight, Side } from '../../src/domain/trade.ts';

const option = (right: OptionRight, strike: number): Instrument => ({ symbol: 'NIFTY', exchange: 'NFO', product: 'OPTIONS', expiry: '2026-12-29', strikePaise: strike * 100, right });
const leg = (side: Side, right: OptionRight, strike: number, premium: number, quantity = 65): MarginLeg => ({ instrument: option(right, strike), side, quantity, pricePaise: premium * 100 });

describe('freeze-quantity slices', () => {
  it('cuts a NIFTY order of 40 lots into whole-lot slices no bigger than the 1,800-unit freeze', () => {
    const max = maxSliceQuantity({ lotSize: 65, freezeQuantity: 1800 });
    expect(max).toBe(1755);
    const slices = freezeSlices(2600, max);
    expect(slices).toEqual([1755, 845]);
    for (const s of slices) expect(s % 65).toBe(0);
  });

  it('leaves an order that fits, or an instrument without a freeze quantity, as one order', () => {
    expect(freezeSlices(1755, 1755)).toEqual([1755]);
    expect(freezeSlices(5000, maxSliceQuantity({ lotSize: 65 }))).toEqual([5000]);
    expect(maxSliceQuantity({ lotSize: 30, freezeQuantity: 600 })).toBe(600);
  });
});

describe('basket margin', () => {
  it('reserves an iron condor at its maximum loss, far below its legs alone', () => {
    const condor = [leg('SELL', 'PUT', 25000, 80), leg('BUY', 'PUT', 24500, 30), leg('SELL', 'CALL', 27000, 70), leg('BUY', 'CALL', 27500, 25)];
    const m = basketMargin(condor);
    // wing 500 points × 65, less the credit (80 - 30 + 70 - 25 = 95 points × 65)
    expect(m.marginPaise).toBe((500 - 95) * 65 * 100);
    expect(m.hedged).toBe(true);
    expect(m.marginPaise).toBeLessThan(m.legsAlonePaise);
  });

  it('sums the legs alone when a loss has no bound (net short calls) or the legs are not one series', () => {
    const nakedCalls = [leg('SELL', 'CALL', 27000, 70), leg('SELL', 'CALL', 27500, 40)];
    expect(basketMargin(nakedCalls)).toEqual({ marginPaise: 65 * (27000 + 27500) * 100, legsAlonePaise: 65 * (27000 + 27500) * 100, hedged: false });
    const cash: MarginLeg = { instrument: { symbol: 'RELIANCE', exchange: 'NSE', product: 'CASH' }, side: 'BUY', quantity: 10, pricePaise: 2450_00 };
    expect(basketMargin([cash, leg('BUY', 'PUT', 25000, 50)]).marginPaise).toBe(10 * 2450_00 + 65 * 50_00);
  });

  it('reserves a bought spread at its net premium', () => {
    const spread = [leg('BUY', 'CALL', 26000, 120), leg('SELL', 'CALL', 26500, 50)];
    expect(basketMargin(spread)).toMatchObject({ marginPaise: 70 * 65 * 100, hedged: true });
  });
});
