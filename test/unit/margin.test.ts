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

  it('blocks a credit spread at its largest loss, width less credit, far below its legs alone', () => {
    // bear call spread: sell 23400 at 577, buy 23500 at 520 → 100 points of width less 57 of credit
    const spread = [leg(nifty(23_400, 'CALL'), 'SELL', 75, 577), leg(nifty(23_500, 'CALL'), 'BUY', 75, 520)];
    const m = basketMargin(spread);
    expect(m.marginPaise).toBe((100 - 57) * 75 * 100);
    expect(m.legsAlonePaise).toBe(spread.reduce((s, l) => s + orderMargin(l), 0));
    expect(m.hedged).toBe(true);
  });

  it('blocks an iron condor at its wider wing less the credit: only one of its two spreads can lose', () => {
    const condor = [leg(nifty(25_000, 'PUT'), 'SELL', 65, 80), leg(nifty(24_500, 'PUT'), 'BUY', 65, 30), leg(nifty(27_000, 'CALL'), 'SELL', 65, 70), leg(nifty(27_500, 'CALL'), 'BUY', 65, 25)];
    const m = basketMargin(condor);
    // wing 500 points × 65, less the credit (80 - 30 + 70 - 25 = 95 points × 65)
    expect(m.marginPaise).toBe((500 - 95) * 65 * 100);
    expect(m.hedged).toBe(true);
    expect(m.marginPaise).toBeLessThan(m.legsAlonePaise);
  });

  it('blocks a bought spread at its net premium', () => {
    const spread = [leg(nifty(26_000, 'CALL'), 'BUY', 65, 120), leg(nifty(26_500, 'CALL'), 'SELL', 65, 50)];
    expect(basketMargin(spread)).toMatchObject({ marginPaise: 70 * 65 * 100, hedged: true });
  });

  it('margins a sold option no bought one covers at the futures share, however large its loss could be', () => {
    const put = [leg(nifty(25_000, 'PUT'), 'SELL', 65, 80)];
    expect(basketMargin(put)).toEqual({ marginPaise: orderMargin(put[0]!), legsAlonePaise: orderMargin(put[0]!), hedged: false });
    // net sold calls lose without bound: the legs alone
    const calls = [leg(nifty(27_000, 'CALL'), 'SELL', 65, 70), leg(nifty(27_500, 'CALL'), 'SELL', 65, 40)];
    expect(basketMargin(calls)).toMatchObject({ marginPaise: calls.reduce((s, l) => s + orderMargin(l), 0), hedged: false });
  });

  it('never asks more of a basket than of its legs, and margins unhedged legs as they are', () => {
    const naked = [leg(nifty(23_400, 'CALL'), 'SELL', 75, 577), leg({ symbol: 'RELIANCE', product: 'CASH' }, 'BUY', 1, 2450)];
    expect(basketMargin(naked).marginPaise).toBe(naked.reduce((s, l) => s + orderMargin(l), 0));
    expect(basketMargin([leg({ symbol: 'RELIANCE', product: 'CASH' }, 'BUY', 10, 2450), leg(nifty(25_000, 'PUT'), 'BUY', 65, 50)]).marginPaise).toBe(10 * 2450_00 + 65 * 50_00);
    // a cover of another expiry does not hedge
    const otherExpiry = [leg(nifty(23_400, 'CALL'), 'SELL', 75, 577), leg({ ...nifty(23_500, 'CALL'), expiry: '2027-01-26' }, 'BUY', 75, 520)];
    expect(basketMargin(otherExpiry)).toMatchObject({ marginPaise: otherExpiry.reduce((s, l) => s + orderMargin(l), 0), hedged: false });
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
