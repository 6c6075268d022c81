import { describe, expect, it } from 'vitest';
import { type GuardedPosition, readDailyLoss } from '../../src/domain/risk/open-loss.ts';

const now = new Date('2026-12-04T06:00:00Z');
const maxAgeMs = 60_000;
const limit = 50_000_00;
const infy = (price?: GuardedPosition['price'], side: 'BUY' | 'SELL' = 'BUY'): GuardedPosition => ({ instrumentKey: 'NSE:INFY:CASH', side, quantity: 100, entryPricePaise: 2000_00, price });

describe('the day loss with positions open', () => {
  it('adds the unrealized loss at the last price to the realized P&L, in paise', () => {
    const reading = readDailyLoss(-10_000_00, [infy({ pricePaise: 1700_00, at: now })], limit, now, maxAgeMs);
    expect(reading).toMatchObject({ lossPaise: 40_000_00, unrealizedPaise: -30_000_00, crossed: false, unpriced: [] });
  });

  it('crosses the limit on an open loss alone: ₹80,000 against ₹50,000', () => {
    const reading = readDailyLoss(0, [infy({ pricePaise: 1200_00, at: now })], limit, now, maxAgeMs);
    expect(reading).toMatchObject({ lossPaise: 80_000_00, crossed: true });
  });

  it('counts a short position losing as the price rises', () => {
    expect(readDailyLoss(0, [infy({ pricePaise: 2600_00, at: now }, 'SELL')], limit, now, maxAgeMs)).toMatchObject({ lossPaise: 60_000_00, crossed: true });
  });

  it('never reads a stale price as zero loss: it counts the last price known and names the position', () => {
    const staleByAge = readDailyLoss(0, [infy({ pricePaise: 1200_00, at: new Date(now.getTime() - 10 * 60_000) })], limit, now, maxAgeMs);
    expect(staleByAge).toMatchObject({ lossPaise: 80_000_00, crossed: true, unpriced: ['NSE:INFY:CASH'] });
    const staleByFeed = readDailyLoss(0, [infy({ pricePaise: 1200_00, at: now, stale: true })], limit, now, maxAgeMs);
    expect(staleByFeed).toMatchObject({ lossPaise: 80_000_00, crossed: true, unpriced: ['NSE:INFY:CASH'] });
  });

  it('reads a position that never had a price as unknown, not as zero loss', () => {
    expect(readDailyLoss(-20_000_00, [infy()], limit, now, maxAgeMs)).toMatchObject({ crossed: false, unpriced: ['NSE:INFY:CASH'], unknown: ['NSE:INFY:CASH'] });
  });

  it('never crosses (never flattens) while a position is unknown, even when the priced ones pass the limit', () => {
    const sbin: GuardedPosition = { instrumentKey: 'NSE:SBIN:CASH', side: 'BUY', quantity: 10, entryPricePaise: 800_00 };
    const reading = readDailyLoss(0, [infy({ pricePaise: 1200_00, at: now }), sbin], limit, now, maxAgeMs);
    expect(reading).toMatchObject({ lossPaise: 80_000_00, crossed: false, unknown: ['NSE:SBIN:CASH'] });
    // once it has a price, the reading is known again and crosses
    expect(readDailyLoss(0, [infy({ pricePaise: 1200_00, at: now }), { ...sbin, price: { pricePaise: 800_00, at: now } }], limit, now, maxAgeMs)).toMatchObject({ crossed: true, unknown: [] });
  });

  it('does not cross on a day in profit', () => {
    expect(readDailyLoss(5_000_00, [infy({ pricePaise: 2100_00, at: now })], limit, now, maxAgeMs)).toMatchObject({ lossPaise: 0, crossed: false });
  });
});
