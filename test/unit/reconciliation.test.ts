import { describe, expect, it } from 'vitest';
import type { RiskLimits } from '../../src/domain/risk/limits.ts';
import { type Book, checkRisk, type EntryOrder } from '../../src/domain/risk/rules.ts';
import { difference, type OurBook, type OurTrade, reconcile, type TheirBook, type TheirOrder } from '../../src/domain/reconciliation.ts';
import { type Instrument, instrumentKey } from '../../src/domain/trade.ts';

const infy: Instrument = { symbol: 'INFY', exchange: 'NSE', product: 'CASH' };
const tcs: Instrument = { symbol: 'TCS', exchange: 'NSE', product: 'CASH' };
const nifty: Instrument = { symbol: 'NIFTY', exchange: 'NFO', product: 'FUTURES', expiry: '2026-12-31' };
const INFY = instrumentKey(infy);
const TCS = instrumentKey(tcs);

const trade = (t: Partial<OurTrade> & { id: string }): OurTrade => ({ instrument: infy, side: 'BUY', status: 'OPEN', openQuantity: 10, ...t });
const book = (trades: OurTrade[] = [], legs: OurBook['legs'] = []): OurBook => ({ trades, legs });
const broker = (positions: TheirBook['positions'] = [], orders: TheirOrder[] = []): TheirBook => ({ positions, orders });
const order = (o: Partial<TheirOrder> = {}): TheirOrder => ({ brokerOrderId: 'B1', tag: 'stray', instrument: tcs, side: 'BUY', quantity: 5, filledQuantity: 0, status: 'OPEN', ...o });
const same = (ours: OurBook, theirs: TheirBook, ourTags: string[] = [], watched: Instrument[] = []) => reconcile({ before: ours, theirs, after: ours, ourTags: new Set(ourTags), watched });

describe('reconcile', () => {
  it('finds nothing when the broker holds what our open trades hold, long and short', () => {
    const ours = book([trade({ id: 'a' }), trade({ id: 'b', openQuantity: 4 }), trade({ id: 'c', instrument: tcs, side: 'SELL', openQuantity: 3 })]);
    const result = same(ours, broker([{ instrument: infy, quantity: 14 }, { instrument: tcs, quantity: -3 }]));
    expect(result).toEqual({ checked: [INFY, TCS], skipped: [], findings: [] });
  });

  it('finds nothing on an empty book on both sides', () => {
    expect(same(book(), broker())).toEqual({ checked: [], skipped: [], findings: [] });
  });

  it('reports a position the broker holds and we do not, and one we hold that the broker does not', () => {
    const result = same(book([trade({ id: 'a', instrument: tcs })]), broker([{ instrument: infy, quantity: 5 }]));
    expect(result.findings).toEqual([
      { kind: 'POSITION', instrumentKey: INFY, instrument: infy, ref: '', ours: 0, theirs: 5, details: {} },
      { kind: 'POSITION', instrumentKey: TCS, instrument: tcs, ref: '', ours: 10, theirs: 0, details: {} },
    ]);
  });

  it('reports quantities that differ, keeping the sign of a short', () => {
    const result = same(book([trade({ id: 'a', side: 'SELL' })]), broker([{ instrument: infy, quantity: -15 }]));
    expect(result.findings.map((f) => [f.kind, f.ours, f.theirs, difference(f)])).toEqual([['POSITION', -10, -15, -5]]);
  });

  it('reports an open order at the broker that is none of our legs, with its unfilled remainder', () => {
    const result = same(book(), broker([], [order({ side: 'SELL', quantity: 8, filledQuantity: 3 }), order({ brokerOrderId: 'B2', tag: 'T1E1' }), order({ brokerOrderId: 'B3', status: 'FILLED' })]), ['T1E1']);
    expect(result.findings).toEqual([
      { kind: 'UNKNOWN_ORDER', instrumentKey: TCS, instrument: tcs, ref: 'B1', ours: 0, theirs: -5, details: { brokerOrderId: 'B1', tag: 'stray', side: 'SELL', quantity: 8, filledQuantity: 3 } },
    ]);
  });

  it('skips an instrument with a trade in flight (PENDING or EXITING), whatever the broker shows', () => {
    for (const status of ['PENDING', 'EXITING']) {
      const result = same(book([trade({ id: 'a', status, openQuantity: 0 })]), broker([{ instrument: infy, quantity: 10 }], [order({ instrument: infy })]));
      expect(result).toEqual({ checked: [], skipped: [INFY], findings: [] });
    }
  });

  it('skips an instrument with a leg in flight (NEW, UNKNOWN or OPEN), but not one with settled legs', () => {
    for (const status of ['NEW', 'UNKNOWN', 'OPEN']) {
      const ours = book([trade({ id: 'a' })], [{ tag: 'aX1', instrument: infy, status }]);
      expect(same(ours, broker([{ instrument: infy, quantity: 20 }])).skipped).toEqual([INFY]);
    }
    const settled = book([trade({ id: 'a' })], [{ tag: 'aX1', instrument: infy, status: 'REJECTED' }]);
    expect(same(settled, broker([{ instrument: infy, quantity: 20 }])).findings).toHaveLength(1);
  });

  it('skips an instrument whose trades changed while the broker was read (a fill, an exit, a new trade)', () => {
    const theirs = broker([{ instrument: infy, quantity: 10 }, { instrument: tcs, quantity: 4 }]);
    const before = book([trade({ id: 'a' })]);
    const after = book([trade({ id: 'b', instrument: tcs, openQuantity: 4 })]);
    expect(reconcile({ before, theirs, after, ourTags: new Set() })).toEqual({ checked: [], skipped: [INFY, TCS], findings: [] });
  });

  it('looks at watched instruments even when neither side holds anything there now', () => {
    expect(same(book(), broker(), [], [nifty])).toEqual({ checked: [instrumentKey(nifty)], skipped: [], findings: [] });
  });

  it('keeps derivatives apart from their underlying by the full instrument key', () => {
    const result = same(book([trade({ id: 'a', instrument: nifty, openQuantity: 50 })]), broker([{ instrument: { ...nifty, expiry: '2027-01-28' }, quantity: 50 }]));
    expect(result.findings.map((f) => [f.instrumentKey, f.ours, f.theirs])).toEqual([
      ['NFO:NIFTY:FUTURES:2026-12-31::', 50, 0],
      ['NFO:NIFTY:FUTURES:2027-01-28::', 0, 50],
    ]);
  });
});

describe('the RECONCILIATION_LOCK rule', () => {
  const now = new Date('2026-11-27T06:00:00Z');
  const limits: RiskLimits = { maxPositionQuantity: 1800, maxOpenPositions: 3, dailyLossLimitPaise: 50_000_00, maxConcentrationBp: 4000, maxTradeValuePaise: 1_00_000_00, maxOrdersPerSecond: 8, priceBandBp: 500 };
  const bookWith = (locked?: string[]): Book => ({ tradingState: 'ACTIVE', capitalPaise: 10_00_000_00, positions: [], reservations: [], realizedTodayPaise: 0, ordersLastSecond: 0, lockedInstruments: locked });
  const entry = (key: string): EntryOrder => ({ instrumentKey: key, side: 'BUY', quantity: 10, orderType: 'MARKET', lastPrice: { pricePaise: 100_00, at: now }, intraday: true });
  const rules = (key: string, locked?: string[]) => checkRisk(entry(key), bookWith(locked), limits, { open: true, pastIntradayCutoff: false, now, maxQuoteAgeMs: 60_000 }).map((v) => v.rule);

  it('refuses an entry in an instrument with an unresolved mismatch, and only there', () => {
    expect(rules(TCS, [TCS])).toEqual(['RECONCILIATION_LOCK']);
    expect(rules(INFY, [TCS])).toEqual([]);
    expect(rules(TCS, [])).toEqual([]);
    expect(rules(TCS)).toEqual([]);
  });
});
