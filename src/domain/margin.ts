/**
 * The margin an order blocks, as a model: the paper exchange's funds ledger, the Breeze emulator's
 * `margincalculator` and the live fallback all use it, so "enough funds" means the same everywhere.
 * It is a model, not the exchange's SPAN (docs/indian-market.md#funds-and-margin):
 *
 * - CASH (delivery): the full value, no leverage;
 * - MARGIN (intraday equity): 20 % of the value, the SEBI peak-margin floor brokers apply to
 *   intraday equity (5× leverage);
 * - FUTURES: a SPAN-like share of the value, 12 % for index underlyings and 20 % for stocks;
 * - OPTIONS bought: the premium (price × quantity);
 * - OPTIONS sold: the futures share of the underlying's value (the strike stands in for the
 *   underlying's price when it is not given);
 * - a basket ({@link basketMargin}) nets option spreads: a defined-risk spread blocks only its
 *   largest loss, so a hedged spread needs less than its legs alone, and never more. Baskets, the
 *   paper ledger, the emulator and the live fallback all use this one model.
 *
 * All in integer paise, rounded up (a model that errs should err toward more margin).
 *
 * @module
 */
import type { Paise } from './money.ts';
import type { Instrument, Side } from './trade.ts';

/** Shares of the value in basis points (docs/indian-market.md#funds-and-margin). */
export const MARGIN_MODEL = {
  CASH: 10_000,
  MARGIN: 2_000,
  INDEX_FUTURES: 1_200,
  STOCK_FUTURES: 2_000,
} as const;

/** Index underlyings, by our symbols and by ICICI's stock codes (the emulator's margin calculator sees the latter). */
const INDICES = new Set(['NIFTY', 'BANKNIFTY', 'FINNIFTY', 'MIDCPNIFTY', 'NIFTYNXT50', 'SENSEX', 'BANKEX', 'CNXBAN', 'NIFFIN', 'NIFSEL', 'BSESEN']);

/** One order (a basket's leg) as the margin model sees it. */
export interface MarginLeg {
  instrument: Pick<Instrument, 'symbol' | 'product' | 'expiry' | 'strikePaise' | 'right'>;
  side: Side;
  quantity: number;
  /** The price the order can fill at: the limit, or a MARKET order's protective limit; the premium for options. */
  pricePaise: Paise;
  /** Options: the underlying's last price, when known (else the strike stands in). */
  underlyingPaise?: Paise | undefined;
}

const share = (value: number, bp: number): Paise => Math.ceil((value * bp) / 10_000);

/** The futures share (basis points) of an underlying. */
export function futuresMarginBp(symbol: string): number {
  return INDICES.has(symbol.trim().toUpperCase()) ? MARGIN_MODEL.INDEX_FUTURES : MARGIN_MODEL.STOCK_FUTURES;
}

/**
 * The margin one order blocks on its own.
 *
 * @example
 * orderMargin({ instrument: { symbol: 'RELIANCE', product: 'CASH' }, side: 'BUY', quantity: 10, pricePaise: 245_000 }) // 2_450_000
 * orderMargin({ instrument: { symbol: 'NIFTY', product: 'FUTURES' }, side: 'BUY', quantity: 75, pricePaise: 2_340_000 }) // 21_060_000 (12 %)
 */
export function orderMargin(leg: MarginLeg): Paise {
  const value = leg.quantity * leg.pricePaise;
  switch (leg.instrument.product) {
    case 'CASH':
      return share(value, MARGIN_MODEL.CASH);
    case 'MARGIN':
      return share(value, MARGIN_MODEL.MARGIN);
    case 'FUTURES':
      return share(value, futuresMarginBp(leg.instrument.symbol));
    case 'OPTIONS':
      if (leg.side === 'BUY') return value;
      return share(leg.quantity * (leg.underlyingPaise ?? leg.instrument.strikePaise ?? leg.pricePaise), futuresMarginBp(leg.instrument.symbol));
  }
}

/** What a basket blocks, with what its legs alone would block. */
export interface BasketMargin {
  /** What the basket blocks. */
  marginPaise: Paise;
  /** The legs' margins added up ({@link orderMargin} each): what it would block without its hedges. */
  legsAlonePaise: Paise;
  /** True when its hedges bring it below its legs alone. */
  hedged: boolean;
}

/**
 * The margin a basket blocks together. Options of one underlying and expiry (a series) block the
 * smaller of two answers, the rest is margined leg by leg:
 *
 * - netted by right: each sold option is covered first by the bought one of the same right that
 *   leaves it the smallest loss (the spread's width), the bought ones pay their premium;
 * - the series' maximum loss at expiry, premiums included, when that loss is bounded (no net
 *   sold calls): an iron condor, two credit spreads of which only one can lose, blocks its wing
 *   less its credit.
 *
 * Never more than the legs' margins added up.
 *
 * @example
 * // a NIFTY 23400/23500 bull call spread, 75 each: the net premium paid, 57 points
 * basketMargin([
 *   { instrument: { symbol: 'NIFTY', product: 'OPTIONS', expiry: '2025-02-27', strikePaise: 2_340_000, right: 'CALL' }, side: 'BUY', quantity: 75, pricePaise: 57_700 },
 *   { instrument: { symbol: 'NIFTY', product: 'OPTIONS', expiry: '2025-02-27', strikePaise: 2_350_000, right: 'CALL' }, side: 'SELL', quantity: 75, pricePaise: 52_000 },
 * ]).marginPaise // 427_500
 */
export function basketMargin(legs: readonly MarginLeg[]): BasketMargin {
  const legsAlonePaise = legs.reduce((s, l) => s + orderMargin(l), 0);
  let total = 0;
  const series = new Map<string, MarginLeg[]>();
  for (const leg of legs) {
    const i = leg.instrument;
    if (i.product !== 'OPTIONS' || !i.right || i.strikePaise === undefined) {
      total += orderMargin(leg);
      continue;
    }
    const key = [i.symbol.trim().toUpperCase(), i.expiry ?? ''].join('|');
    series.set(key, [...(series.get(key) ?? []), leg]);
  }
  for (const group of series.values()) {
    const netted = netOptionsMargin(group.filter((l) => l.instrument.right === 'CALL')) + netOptionsMargin(group.filter((l) => l.instrument.right === 'PUT'));
    total += Math.min(netted, maxLoss(group) ?? netted);
  }
  const marginPaise = Math.min(total, legsAlonePaise);
  return { marginPaise, legsAlonePaise, hedged: marginPaise < legsAlonePaise };
}

/** Value of one unit of the option at expiry with the underlying at `spot`. */
function intrinsic(instrument: MarginLeg['instrument'], spot: Paise): Paise {
  const strike = instrument.strikePaise ?? 0;
  return instrument.right === 'CALL' ? Math.max(0, spot - strike) : Math.max(0, strike - spot);
}

/** The series' payoff at expiry with the underlying at `spot`, premiums included. */
function payoff(legs: readonly MarginLeg[], spot: Paise): Paise {
  return legs.reduce((sum, l) => sum + (l.side === 'BUY' ? 1 : -1) * l.quantity * (intrinsic(l.instrument, spot) - l.pricePaise), 0);
}

/** The series' maximum loss at expiry (options of one underlying and expiry), or undefined when it has no bound. */
export function maxLoss(series: readonly MarginLeg[]): Paise | undefined {
  // above the highest strike the payoff moves with the net calls held: net sold calls lose without bound
  const netCalls = series.filter((l) => l.instrument.right === 'CALL').reduce((n, l) => n + (l.side === 'BUY' ? l.quantity : -l.quantity), 0);
  if (!series.length || netCalls < 0) return undefined;
  // the payoff is linear between strikes: its worst is at zero or at a strike
  const spots = [0, ...series.map((l) => l.instrument.strikePaise ?? 0)];
  return Math.max(0, -Math.min(...spots.map((s) => payoff(series, s))));
}

/** Options of one underlying, expiry and right: premiums of the bought ones, covered or naked margin of the sold ones. */
function netOptionsMargin(group: MarginLeg[]): Paise {
  const longs = group.filter((l) => l.side === 'BUY').map((l) => ({ strike: l.instrument.strikePaise ?? 0, left: l.quantity }));
  let total = group.filter((l) => l.side === 'BUY').reduce((s, l) => s + orderMargin(l), 0);
  for (const short of group.filter((l) => l.side === 'SELL')) {
    const strike = short.instrument.strikePaise ?? 0;
    // a sold call loses up to (bought strike − sold strike) a unit when covered; a sold put, the reverse
    const lossPerUnit = (longStrike: number) => Math.max(0, short.instrument.right === 'CALL' ? longStrike - strike : strike - longStrike);
    let open = short.quantity;
    for (const cover of [...longs].sort((a, b) => lossPerUnit(a.strike) - lossPerUnit(b.strike))) {
      if (!open) break;
      const matched = Math.min(open, cover.left);
      total += matched * lossPerUnit(cover.strike);
      cover.left -= matched;
      open -= matched;
    }
    if (open) total += orderMargin({ ...short, quantity: open });
  }
  return total;
}
