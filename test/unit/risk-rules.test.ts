import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { RiskLimits } from '../../src/domain/risk/limits.ts';
import { effectiveLimits, loosenedKeys } from '../../src/domain/risk/limits.ts';
import { type Book, checkRisk, type EntryOrder, type MarketContext, type OpenPosition } from '../../src/domain/risk/rules.ts';

const now = new Date('2026-11-27T06:00:00Z');
const fresh = { pricePaise: 100_00, at: now };
const LIMITS: RiskLimits = {
  maxPositionQuantity: 1800,
  maxOpenPositions: 3,
  dailyLossLimitPaise: 50_000_00,
  maxConcentrationBp: 4000,
  maxTradeValuePaise: 1_00_000_00,
  maxOrdersPerSecond: 8,
  priceBandBp: 500,
};
const market: MarketContext = { open: true, pastIntradayCutoff: false, now, maxQuoteAgeMs: 60_000 };
const emptyBook: Book = { tradingState: 'ACTIVE', capitalPaise: 10_00_000_00, positions: [], reservations: [], realizedTodayPaise: 0, ordersLastSecond: 0 };
const order = (o: Partial<EntryOrder> = {}): EntryOrder => ({ instrumentKey: 'NSE:A', side: 'BUY', quantity: 10, orderType: 'MARKET', lastPrice: fresh, intraday: true, ...o });
const rules = (o: EntryOrder, book: Partial<Book> = {}, limits: Partial<RiskLimits> = {}, m: Partial<MarketContext> = {}) =>
  checkRisk(o, { ...emptyBook, ...book }, { ...LIMITS, ...limits }, { ...market, ...m }).map((v) => v.rule);
const position = (key: string, quantity: number, entry = 100_00, last = fresh as OpenPosition['lastPrice']): OpenPosition => ({ instrumentKey: key, side: 'BUY', quantity, entryPricePaise: entry, lastPrice: last });

describe('checkRisk', () => {
  it('lets an ordinary order through', () => {
    expect(rules(order())).toEqual([]);
  });

  it('MAX_TRADE_VALUE: refuses exactly the orders worth more than the limit', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 5000 }), fc.integer({ min: 5, max: 5_000_00 }), (quantity, price) => {
        const broken = rules(order({ quantity, orderType: 'LIMIT', limitPricePaise: price, lastPrice: { pricePaise: price, at: now } }), {}, { maxPositionQuantity: 1e9, maxConcentrationBp: 10_000 }).includes('MAX_TRADE_VALUE');
        expect(broken).toBe(quantity * price > LIMITS.maxTradeValuePaise);
      }),
    );
  });

  it('MAX_POSITION_QUANTITY: counts the open position and orders in flight with the new order', () => {
    fc.assert(
      fc.property(fc.nat(2000), fc.nat(2000), fc.integer({ min: 1, max: 2000 }), (held, reserved, quantity) => {
        const book = {
          positions: held ? [position('NSE:A', held, 1_00)] : [],
          reservations: reserved ? [{ instrumentKey: 'NSE:A', quantity: reserved, notionalPaise: reserved * 1_00 }] : [],
        };
        const o = order({ quantity, lastPrice: { pricePaise: 1_00, at: now } });
        expect(rules(o, book, { maxConcentrationBp: 10_000 }).includes('MAX_POSITION_QUANTITY')).toBe(held + reserved + quantity > 1800);
      }),
    );
  });

  it('MAX_OPEN_POSITIONS: a new instrument past the limit is refused, adding to a held one is not', () => {
    const book = { positions: [position('NSE:A', 1), position('NSE:B', 1)], reservations: [{ instrumentKey: 'NSE:C', quantity: 1, notionalPaise: 100_00 }] };
    expect(rules(order({ instrumentKey: 'NSE:D' }), book)).toContain('MAX_OPEN_POSITIONS');
    expect(rules(order({ instrumentKey: 'NSE:C' }), book)).not.toContain('MAX_OPEN_POSITIONS');
    expect(rules(order({ instrumentKey: 'NSE:D' }), { ...book, reservations: [] })).not.toContain('MAX_OPEN_POSITIONS');
  });

  it('DAILY_LOSS_LIMIT: counts realized and unrealized loss, and trips at the limit itself', () => {
    fc.assert(
      fc.property(fc.integer({ min: -80_000_00, max: 20_000_00 }), fc.integer({ min: -30_000_00, max: 30_000_00 }), (realized, unrealized) => {
        // one share bought at 1,00,000.00 now worth that plus `unrealized`
        const entry = 1_00_000_00;
        const last = { pricePaise: entry + unrealized, at: now };
        const book = { realizedTodayPaise: realized, positions: [position('NSE:Z', 1, entry, last)] };
        const broken = rules(order(), book, { maxConcentrationBp: 10_000, maxTradeValuePaise: 1e12 }).includes('DAILY_LOSS_LIMIT');
        expect(broken).toBe(-(realized + unrealized) >= LIMITS.dailyLossLimitPaise);
      }),
    );
  });

  it('MAX_CONCENTRATION: position value against the share of capital', () => {
    // capital ₹10,00,000; 40% = ₹4,00,000
    expect(rules(order({ quantity: 4000, lastPrice: { pricePaise: 100_00, at: now } }), {}, { maxTradeValuePaise: 1e12, maxPositionQuantity: 1e9 })).not.toContain('MAX_CONCENTRATION');
    expect(rules(order({ quantity: 4001, lastPrice: { pricePaise: 100_00, at: now } }), {}, { maxTradeValuePaise: 1e12, maxPositionQuantity: 1e9 })).toContain('MAX_CONCENTRATION');
  });

  it('PRICE_BAND: refuses a limit price too far from the last price, either way', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1_00, max: 10_000_00 }), fc.integer({ min: -2000, max: 2000 }), (ltp, offsetBp) => {
        const limit = Math.max(5, Math.round(ltp * (1 + offsetBp / 10_000)));
        const distance = Math.round((Math.abs(limit - ltp) * 10_000) / ltp);
        const o = order({ quantity: 1, orderType: 'LIMIT', limitPricePaise: limit, lastPrice: { pricePaise: ltp, at: now } });
        expect(rules(o, {}, { maxTradeValuePaise: 1e12 }).includes('PRICE_BAND')).toBe(distance > LIMITS.priceBandBp);
      }),
    );
  });

  it('ORDER_RATE: refuses the order past the per-second rate', () => {
    expect(rules(order(), { ordersLastSecond: 7 })).not.toContain('ORDER_RATE');
    expect(rules(order(), { ordersLastSecond: 8 })).toContain('ORDER_RATE');
  });

  it('PRICE_UNAVAILABLE: fails closed on a missing or stale price of the order', () => {
    const stale = { pricePaise: 100_00, at: new Date(now.getTime() - 61_000) };
    expect(rules(order({ lastPrice: undefined }))).toContain('PRICE_UNAVAILABLE');
    expect(rules(order({ lastPrice: stale }))).toContain('PRICE_UNAVAILABLE');
  });

  it('OPEN_LOSS_UNKNOWN: refuses entries while an open position has no current price, naming it', () => {
    const stale = { pricePaise: 100_00, at: new Date(now.getTime() - 61_000) };
    expect(rules(order(), { positions: [position('NSE:B', 1, 100_00, stale)] })).toEqual(['OPEN_LOSS_UNKNOWN']);
    const never = checkRisk(order(), { ...emptyBook, positions: [{ ...position('NSE:B', 1), lastPrice: undefined }] }, LIMITS, market);
    expect(never).toEqual([expect.objectContaining({ rule: 'OPEN_LOSS_UNKNOWN', actual: 'missing or stale: NSE:B' })]);
    expect(never[0]!.message).toMatch(/loss cannot be known.*NSE:B/);
  });

  it('MARKET_CLOSED, INTRADAY_CUTOFF and TRADING_HALTED', () => {
    expect(rules(order(), {}, {}, { open: false, closedReason: 'weekend' })).toContain('MARKET_CLOSED');
    expect(rules(order(), {}, {}, { pastIntradayCutoff: true })).toContain('INTRADAY_CUTOFF');
    expect(rules(order({ intraday: false }), {}, {}, { pastIntradayCutoff: true })).not.toContain('INTRADAY_CUTOFF');
    expect(rules(order(), { tradingState: 'HALTED' })).toContain('TRADING_HALTED');
    expect(rules(order(), { tradingState: 'REDUCING' })).toContain('TRADING_HALTED');
  });

  it('describes every violation with its limit, the actual value and a message', () => {
    const violations = checkRisk(order({ quantity: 5000, lastPrice: { pricePaise: 1000_00, at: now } }), emptyBook, LIMITS, market);
    expect(violations.length).toBeGreaterThan(1);
    for (const v of violations) {
      expect(v.message.length).toBeGreaterThan(10);
      expect(v.limit).toBeDefined();
      expect(v.actual).toBeDefined();
    }
  });
});

describe('limit changes', () => {
  it('calls a higher number looser, for every limit', () => {
    expect(loosenedKeys(LIMITS, { maxOpenPositions: 4, dailyLossLimitPaise: 10 })).toEqual(['maxOpenPositions']);
    expect(loosenedKeys(LIMITS, { maxOpenPositions: 2 })).toEqual([]);
  });

  it('applies overrides over the defaults and ignores non-numbers', () => {
    expect(effectiveLimits(LIMITS, { maxOpenPositions: 1, priceBandBp: Number.NaN })).toEqual({ ...LIMITS, maxOpenPositions: 1 });
  });
});
