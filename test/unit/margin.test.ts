import { describe, expect, it } from 'vitest';
import { basketMargin, type MarginLeg, orderMargin } from '../../src/domain/margin.ts';
import { availableFunds, checkFunds, type FundsView } from '../../src/domain/risk/funds.ts';

const nifty = (strikeRupees: number, right: 'CALL' | 'PUT') => ({ symbol: 'NIFTY', product: 'OPTIONS' as const, expiry: '2026-12-29', strikePaise: strikeRupees * 100, right });
const leg = (instrument: MarginLeg['instrument'], side: 'BUY' | 'SELL', quantity: number, priceRupees: number): MarginLeg => ({ instrument, side, quantity, pricePaise: priceRupees * 100 });

describe('the margin model', () => {
  it('blocks the full value of a delivery (cash) order and a fifth of an intraday margin order', () => {
    expect(orderMargin(leg({ symbol: 'RELIANCE', product: 'CASH' }, 'BUY', 10, 2450))).toBe(24_500_00);
    expect(orderMargin(leg({ symbol: 'RELIANCE', product: 'MARGIN' }, 'BUY', 10, 2450))).toBe(4_900_00);
  });

  it('takes a SPAN-like share for futures: 12 % on an index, 20 % on a stock', () => {
    expect(orderMargin(leg({ symbol: 'NIFTY', product: 'FUTURES', expiry: '2026-12-29' }, 'BUY', 75, 23_400))).toBe(210_600_00);
    expect(orderMargin(leg({ symbol: 'RELIANCE', product: 'FUTURES', expiry: '2026-12-29' }, 'SELL', 500, 2450))).toBe(245_000_00);
  });

  it('charges the premium for a bought option and the futures share of the underlying for a sold one', () => {
    expect(orderMargin(leg(nifty(23_400, 'CALL'), 'BUY', 75, 577))).toBe(43_275_00);
    expect(orderMargin(leg(nifty(23_400, 'CALL'), 'SELL', 75, 577))).toBe(210_600_00);
    expect(orderMargin({ ...leg(nifty(23_400, 'CALL'), 'SELL', 75, 577), underlyingPaise: 24_000_00 })).toBe(216_000_00);
  });

  it('needs less for a hedged spread than for its legs alone, and only the spread’s largest loss', () => {
    // bear call spread: sell 23400, buy 23500 → at most 100 points a unit can be lost
    const spread = [leg(nifty(23_400, 'CALL'), 'SELL', 75, 577), leg(nifty(23_500, 'CALL'), 'BUY', 75, 520)];
    const alone = spread.reduce((s, l) => s + orderMargin(l), 0);
    expect(basketMargin(spread)).toBe(39_000_00 + 75 * 100_00);
    expect(basketMargin(spread)).toBeLessThan(alone);
    // an iron condor: two spreads, netted side by side
    const condor = [...spread, leg(nifty(23_000, 'PUT'), 'SELL', 75, 300), leg(nifty(22_900, 'PUT'), 'BUY', 75, 260)];
    expect(basketMargin(condor)).toBe(39_000_00 + 75 * 100_00 + 19_500_00 + 75 * 100_00);
  });

  it('never asks more of a basket than of its legs, and margins unhedged legs as they are', () => {
    const naked = [leg(nifty(23_400, 'CALL'), 'SELL', 75, 577), leg({ symbol: 'RELIANCE', product: 'CASH' }, 'BUY', 1, 2450)];
    expect(basketMargin(naked)).toBe(naked.reduce((s, l) => s + orderMargin(l), 0));
    // a cover of another expiry does not hedge
    const otherExpiry = [leg(nifty(23_400, 'CALL'), 'SELL', 75, 577), leg({ ...nifty(23_500, 'CALL'), expiry: '2027-01-26' }, 'BUY', 75, 520)];
    expect(basketMargin(otherExpiry)).toBe(otherExpiry.reduce((s, l) => s + orderMargin(l), 0));
  });
});

describe('the INSUFFICIENT_FUNDS rule', () => {
  const funds: FundsView = { source: 'paper-ledger', balancePaise: 1_000_000_00, usedMarginPaise: 300_000_00, reservedMarginPaise: 200_000_00 };

  it('counts the margin of positions held and of orders in flight against the balance', () => {
    expect(availableFunds(funds)).toBe(500_000_00);
    expect(checkFunds(500_000_00, funds)).toBeUndefined();
  });

  it('refuses an order whose margin exceeds what is available, with the limit and the actual margin', () => {
    expect(checkFunds(500_000_01, funds)).toMatchObject({ rule: 'INSUFFICIENT_FUNDS', limit: 500_000_00, actual: 500_000_01 });
  });

  it('refuses when the funds or the margin could not be read', () => {
    expect(checkFunds(1, undefined)).toMatchObject({ rule: 'INSUFFICIENT_FUNDS', actual: 'unavailable' });
    expect(checkFunds(undefined, funds)).toMatchObject({ rule: 'INSUFFICIENT_FUNDS', actual: 'unavailable' });
  });
});
