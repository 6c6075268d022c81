/**
 * The INSUFFICIENT_FUNDS rule: an order's margin must fit in the account's available funds, after
 * the margin of positions held and of orders still in flight. Pure: the reservation reads the
 * funds (the paper ledger, or the broker's funds and margin calculator) and calls it under the
 * account's lock, so concurrent orders cannot spend the same rupee twice.
 *
 * @module
 */
import { formatRupees, type Paise } from '../money.ts';
import type { Violation } from './rules.ts';

/** The account's funds as the risk check sees them (paise). */
export interface FundsView {
  /** Where the numbers come from: the paper exchange's ledger, or the broker's `funds` read. */
  source: 'paper-ledger' | 'broker';
  /** Money in the account for trading: the ledger's balance, or the broker's allocation to the order's segment. */
  balancePaise: Paise;
  /** Margin blocked by positions held (the ledger), or by the broker (`block_by_trade_*`). */
  usedMarginPaise: Paise;
  /** Margin of this system's orders in flight, not yet in `usedMarginPaise`. */
  reservedMarginPaise: Paise;
  /** When the broker's numbers were read (absent for the ledger, which is always current). */
  asOf?: Date | undefined;
}

/** What is left for a new order. */
export function availableFunds(f: FundsView): Paise {
  return f.balancePaise - f.usedMarginPaise - f.reservedMarginPaise;
}

/** The violation when the order's margin does not fit, or when the funds are not known (fail closed). */
export function checkFunds(requiredMarginPaise: Paise | undefined, funds: FundsView | undefined): Violation | undefined {
  if (!funds || requiredMarginPaise === undefined) {
    return { rule: 'INSUFFICIENT_FUNDS', limit: 'known funds and margin', actual: 'unavailable', message: "The account's funds or the order's margin could not be read; the order is refused rather than guessed" };
  }
  const available = availableFunds(funds);
  if (requiredMarginPaise <= available) return undefined;
  return {
    rule: 'INSUFFICIENT_FUNDS',
    limit: available,
    actual: requiredMarginPaise,
    message: `The order needs ${formatRupees(requiredMarginPaise)} of margin; ${formatRupees(Math.max(0, available))} is available`,
  };
}
