import { describe, expect, it } from 'vitest';
import { betterExtreme, trailDistancePaise, trailedStop, trailingLevel } from '../../src/domain/trailing-stop.ts';

describe('a trailing stop', () => {
  it('raises a long’s stop with the high, a fixed amount below it', () => {
    expect(trailedStop('BUY', 490_00, { paise: 10_00 }, 505_00, 5)).toBe(495_00);
    expect(trailedStop('BUY', 495_00, { paise: 10_00 }, 520_00, 5)).toBe(510_00);
  });

  it('never lowers a long’s stop when the price falls back', () => {
    expect(trailedStop('BUY', 495_00, { paise: 10_00 }, 502_00, 5)).toBe(495_00);
    expect(trailedStop('BUY', 495_00, { paise: 10_00 }, 480_00, 5)).toBe(495_00);
  });

  it('lowers a short’s stop with the low and never raises it', () => {
    expect(trailedStop('SELL', 510_00, { paise: 10_00 }, 490_00, 5)).toBe(500_00);
    expect(trailedStop('SELL', 500_00, { paise: 10_00 }, 495_00, 5)).toBe(500_00);
    expect(trailedStop('SELL', 500_00, { paise: 10_00 }, 530_00, 5)).toBe(500_00);
  });

  it('trails by a percent of the best price, on both sides', () => {
    expect(trailedStop('BUY', undefined, { percent: 2 }, 500_00, 5)).toBe(490_00);
    expect(trailedStop('BUY', 490_00, { percent: 2 }, 600_00, 5)).toBe(588_00);
    expect(trailedStop('SELL', 510_00, { percent: 2 }, 490_00, 5)).toBe(499_80);
    expect(trailDistancePaise({ percent: 1.5 }, 1000_00)).toBe(15_00);
    expect(trailDistancePaise({ paise: 7_50 }, 1000_00)).toBe(7_50);
  });

  it('puts the stop on the tick grid, never closer to the price than the distance asked for', () => {
    // 2% of ₹503.37 is ₹10.0674: a long's stop ₹493.3026 goes down to ₹493.30, a short's up to ₹513.45
    expect(trailingLevel('BUY', { percent: 2 }, 503_37, 5)).toBe(493_30);
    expect(trailingLevel('SELL', { percent: 2 }, 503_37, 5)).toBe(513_45);
    expect(trailingLevel('BUY', { paise: 1_03 }, 100_00, 10)).toBe(98_90);
    expect(trailingLevel('SELL', { paise: 1_03 }, 100_00, 10)).toBe(101_10);
  });

  it('moves only by whole ticks: a move smaller than one tick leaves the stop where it is', () => {
    // the level would rise by 3 paise on a 5-paise grid: floor keeps it at the old level
    expect(trailedStop('BUY', 490_00, { paise: 10_00 }, 500_03, 5)).toBe(490_00);
    expect(trailedStop('BUY', 490_00, { paise: 10_00 }, 500_05, 5)).toBe(490_05);
    // a hand-set stop off the grid is moved only when the trail is at least a tick tighter
    expect(trailedStop('BUY', 490_03, { paise: 10_00 }, 500_05, 5)).toBe(490_03);
    expect(trailedStop('BUY', 490_03, { paise: 10_00 }, 500_10, 5)).toBe(490_10);
    expect(trailedStop('SELL', 509_97, { paise: 10_00 }, 499_95, 5)).toBe(509_97);
    expect(trailedStop('SELL', 509_97, { paise: 10_00 }, 499_90, 5)).toBe(509_90);
  });

  it('keeps a long’s stop at least one tick above zero', () => {
    expect(trailingLevel('BUY', { paise: 10_00 }, 5_00, 5)).toBe(5);
  });

  it('keeps the best price seen: the high for a long, the low for a short', () => {
    expect(betterExtreme('BUY', 500_00, 495_00)).toBe(500_00);
    expect(betterExtreme('BUY', 500_00, 505_00)).toBe(505_00);
    expect(betterExtreme('SELL', 500_00, 495_00)).toBe(495_00);
    expect(betterExtreme('SELL', 500_00, 505_00)).toBe(500_00);
  });
});
