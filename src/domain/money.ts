/**
 * Money is integer paise everywhere inside the system (1 rupee = 100 paise). Rupees appear only at
 * the HTTP edge, as decimal numbers, and are converted here exactly or refused.
 *
 * @module
 */

/** Integer paise. */
export type Paise = number;

/**
 * Rupees (at most two decimals) to paise, or `undefined` when the value is not a whole number of
 * paise or not finite.
 *
 * @example
 * rupeesToPaise(2450.5) // 245050
 * rupeesToPaise(1.005)  // undefined: fractions of a paisa are not money
 */
export function rupeesToPaise(rupees: number): Paise | undefined {
  if (!Number.isFinite(rupees)) return undefined;
  const paise = Math.round(rupees * 100);
  // A decimal with at most two places parses to the double nearest to it, and so does paise / 100
  // (IEEE division rounds correctly): equal exactly when `rupees` is a whole number of paise.
  if (paise / 100 !== rupees || !Number.isSafeInteger(paise)) return undefined;
  return paise;
}

/** Paise to rupees for API bodies. */
export function paiseToRupees(paise: Paise): number {
  return paise / 100;
}

/** Value of `quantity` units at `pricePaise`. */
export function notional(quantity: number, pricePaise: Paise): Paise {
  return quantity * pricePaise;
}

/** Rupee string with Indian grouping, for messages: 100000000 paise → "₹10,00,000.00". */
export function formatRupees(paise: Paise): string {
  const sign = paise < 0 ? '-' : '';
  return `${sign}₹${(Math.abs(paise) / 100).toLocaleString('en-IN', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
}

/** A fraction expressed in basis points (1 bp = 0.01%) applied to paise, rounded down. */
export function fractionOf(amount: Paise, basisPoints: number): Paise {
  return Math.floor((amount * basisPoints) / 10_000);
}
