import { describe, expect, it } from 'vitest';
import { chasePrice, stopLimitPrice } from '../../src/domain/protection.ts';

describe('protective order prices', () => {
  it('puts a stop-limit’s limit a buffer past its trigger, on the tick grid, away from the trigger', () => {
    expect(stopLimitPrice('SELL', 440_00, 50, 5)).toBe(437_80);
    expect(stopLimitPrice('BUY', 440_00, 50, 5)).toBe(442_20);
    expect(stopLimitPrice('SELL', 789_00, 50, 5)).toBe(785_05);
    expect(stopLimitPrice('BUY', 789_00, 50, 5)).toBe(792_95);
  });

  it('chases a gapped stop with a limit past the last price, so that it is marketable', () => {
    expect(chasePrice('SELL', 430_00, 50, 5)).toBeLessThan(430_00);
    expect(chasePrice('BUY', 430_00, 50, 5)).toBeGreaterThan(430_00);
  });
});
