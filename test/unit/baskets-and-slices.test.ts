import { describe, expect, it } from 'vitest';
import { freezeSlices, maxSliceQuantity } from '../../src/domain/freeze-slices.ts';

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
