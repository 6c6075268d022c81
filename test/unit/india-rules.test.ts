import { describe, expect, it } from 'vitest';
import { ALL_ON, checkIndiaRules, type InstrumentRules, switchesFrom } from '../../src/domain/risk/india-rules.ts';

const nifty: InstrumentRules = { lotSize: 65, freezeQuantity: 1800, tickPaise: 5 };
const rules = (o: Parameters<typeof checkIndiaRules>[0], r = nifty, on = ALL_ON, ctx: Parameters<typeof checkIndiaRules>[3] = { broker: 'paper' }) => checkIndiaRules(o, r, on, ctx).map((v) => v.rule);

describe('the India rule pack', () => {
  it('wants whole lots in F&O, and refuses a contract whose lot is unknown', () => {
    expect(rules({ product: 'FUTURES', quantity: 130 })).toEqual([]);
    expect(rules({ product: 'FUTURES', quantity: 100 })).toEqual(['LOT_SIZE']);
    expect(rules({ product: 'OPTIONS', quantity: 50 }, { tickPaise: 5 })).toEqual(['LOT_SIZE']);
    expect(rules({ product: 'CASH', quantity: 7 })).toEqual([]);
  });

  it('refuses an order above the freeze quantity', () => {
    expect(rules({ product: 'FUTURES', quantity: 1820 })).toEqual(['FREEZE_QUANTITY']);
    expect(rules({ product: 'FUTURES', quantity: 1755 })).toEqual([]);
  });

  it('takes an order above the freeze quantity that the trade slices, unless it needs more than 20 slices', () => {
    const slicing = { broker: 'paper' as const, freezeSlicing: true };
    expect(rules({ product: 'OPTIONS', quantity: 2600 }, nifty, ALL_ON, slicing)).toEqual([]);
    expect(rules({ product: 'OPTIONS', quantity: 1755 * 20 }, nifty, ALL_ON, slicing)).toEqual([]);
    expect(rules({ product: 'OPTIONS', quantity: 1755 * 20 + 65 }, nifty, ALL_ON, slicing)).toEqual(['FREEZE_QUANTITY']);
  });

  it('wants prices in whole ticks', () => {
    expect(rules({ product: 'CASH', quantity: 1, limitPricePaise: 245_003 })).toEqual(['TICK_SIZE']);
    expect(rules({ product: 'CASH', quantity: 1, limitPricePaise: 245_005, stopLossPaise: 240_001, targetPaise: 250_000 })).toEqual(['TICK_SIZE']);
  });

  it("refuses a limit price outside the day's band", () => {
    const band = { broker: 'paper' as const, upperCircuitPaise: 270_000, lowerCircuitPaise: 220_000 };
    expect(rules({ product: 'CASH', quantity: 1, limitPricePaise: 270_005 }, nifty, ALL_ON, band)).toEqual(['CIRCUIT_BAND']);
    expect(rules({ product: 'CASH', quantity: 1, limitPricePaise: 219_995 }, nifty, ALL_ON, band)).toEqual(['CIRCUIT_BAND']);
    expect(rules({ product: 'CASH', quantity: 1, limitPricePaise: 250_000 }, nifty, ALL_ON, band)).toEqual([]);
  });

  it('refuses margin orders through Breeze only', () => {
    expect(rules({ product: 'MARGIN', quantity: 1 }, nifty, ALL_ON, { broker: 'breeze' })).toEqual(['PRODUCT_NOT_ALLOWED']);
    expect(rules({ product: 'MARGIN', quantity: 1 }, nifty, ALL_ON, { broker: 'paper' })).toEqual([]);
  });

  it('lets each rule be switched off', () => {
    expect(rules({ product: 'FUTURES', quantity: 100 }, nifty, switchesFrom({ LOT_SIZE: false }))).toEqual([]);
    expect(switchesFrom({})).toEqual(ALL_ON);
  });
});
