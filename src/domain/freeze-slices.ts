/**
 * Splitting an F&O order above the exchange's freeze quantity into exchange-sized slices. The
 * exchange rejects an index-derivative order above its freeze quantity, so a larger order goes
 * out as several, each a whole number of lots and no bigger than the freeze quantity
 * (docs/indian-market.md#freeze-quantities). Pure.
 *
 * @module
 */

/** An order needing more slices than this is still refused (FREEZE_QUANTITY): a typo, not a trade. */
export const MAX_FREEZE_SLICES = 20;

/**
 * The largest quantity one order may carry: the freeze quantity rounded down to whole lots.
 * `undefined` when the instrument has no freeze quantity (no slicing).
 *
 * @example
 * maxSliceQuantity({ lotSize: 65, freezeQuantity: 1800 }) // 1755 (27 lots)
 */
export function maxSliceQuantity(rules: { lotSize?: number | undefined; freezeQuantity?: number | undefined }): number | undefined {
  const { lotSize, freezeQuantity } = rules;
  if (!freezeQuantity) return undefined;
  if (!lotSize) return freezeQuantity;
  const lots = Math.floor(freezeQuantity / lotSize);
  return lots > 0 ? lots * lotSize : undefined;
}

/**
 * The slices of `quantity`: full slices of `maxSlice`, then the rest. One slice (the quantity
 * itself) when it fits, or when there is no limit.
 *
 * @example
 * freezeSlices(2600, 1755) // [1755, 845]
 */
export function freezeSlices(quantity: number, maxSlice: number | undefined): number[] {
  if (!maxSlice || quantity <= maxSlice) return [quantity];
  const out: number[] = [];
  for (let left = quantity; left > 0; left -= maxSlice) out.push(Math.min(left, maxSlice));
  return out;
}
