/**
 * The margin a basket of legs reserves, as one number: a simple model until the broker's margin
 * calculator is wired in (docs/indian-market.md#basket-margin).
 *
 * - A leg alone: what it can cost. Bought: its value (quantity × price, the premium for an
 *   option). Sold option: its strike value (quantity × strike), the cash that secures a short put,
 *   stood in for a short call too. Sold cash or futures: its value.
 * - A defined-risk option spread (every leg an option on the same underlying and expiry, and no
 *   loss without bound above the highest strike): its maximum loss at expiry, the worst payoff
 *   over every strike and zero, premiums included. A hedged spread so needs less than its legs.
 * - Anything else: the sum of its legs alone.
 *
 * Pure: the caller passes each leg's price (limit, or last price for a market leg).
 *
 * @module
 */
import type { Paise } from './money.ts';
import type { Instrument, Side } from './trade.ts';

export interface MarginLeg {
  instrument: Instrument;
  side: Side;
  quantity: number;
  /** The premium (options) or price per unit the leg trades at. */
  pricePaise: Paise;
}

export interface BasketMargin {
  /** What the basket reserves. */
  marginPaise: Paise;
  /** The sum of its legs alone (what it would reserve without the hedge). */
  legsAlonePaise: Paise;
  /** True when the basket is a defined-risk option spread whose maximum loss is below its legs alone: it reserves that loss. */
  hedged: boolean;
}

/** What one leg can cost on its own. */
export function legAloneMargin(leg: MarginLeg): Paise {
  const { instrument, side, quantity, pricePaise } = leg;
  if (side === 'SELL' && instrument.product === 'OPTIONS' && instrument.strikePaise) return quantity * instrument.strikePaise;
  return quantity * pricePaise;
}

/** Value of one unit of the option at expiry with the underlying at `spot`. */
function intrinsic(instrument: Instrument, spot: Paise): Paise {
  const strike = instrument.strikePaise ?? 0;
  return instrument.right === 'CALL' ? Math.max(0, spot - strike) : Math.max(0, strike - spot);
}

/** The payoff at expiry of the whole basket with the underlying at `spot`, premiums included. */
function payoff(legs: readonly MarginLeg[], spot: Paise): Paise {
  return legs.reduce((sum, l) => sum + (l.side === 'BUY' ? 1 : -1) * l.quantity * (intrinsic(l.instrument, spot) - l.pricePaise), 0);
}

/** The basket's maximum loss at expiry, or undefined when it is not a defined-risk option spread. */
export function maxLoss(legs: readonly MarginLeg[]): Paise | undefined {
  const [first] = legs;
  if (!first || legs.length < 2) return undefined;
  const sameSeries = legs.every((l) => l.instrument.product === 'OPTIONS' && l.instrument.right && l.instrument.strikePaise !== undefined && l.instrument.symbol === first.instrument.symbol && l.instrument.expiry === first.instrument.expiry);
  if (!sameSeries) return undefined;
  // above the highest strike the payoff moves with the net calls held: net short calls lose without bound
  const netCalls = legs.filter((l) => l.instrument.right === 'CALL').reduce((n, l) => n + (l.side === 'BUY' ? l.quantity : -l.quantity), 0);
  if (netCalls < 0) return undefined;
  // the payoff is linear between strikes: its worst is at zero or at a strike
  const spots = [0, ...legs.map((l) => l.instrument.strikePaise!)];
  const worst = Math.min(...spots.map((s) => payoff(legs, s)));
  return Math.max(0, -worst);
}

/** What the basket reserves: its maximum loss when that is defined and below its legs alone, else the legs alone. */
export function basketMargin(legs: readonly MarginLeg[]): BasketMargin {
  const legsAlonePaise = legs.reduce((sum, l) => sum + legAloneMargin(l), 0);
  const loss = maxLoss(legs);
  if (loss === undefined || loss >= legsAlonePaise) return { marginPaise: legsAlonePaise, legsAlonePaise, hedged: false };
  return { marginPaise: loss, legsAlonePaise, hedged: true };
}
