/**
 * The India rule pack: exchange and broker rules an order must meet before it is sent, each one
 * switchable per account. Pure functions of the order, the instrument's rules and the quote.
 *
 * - LOT_SIZE: F&O quantities are whole lots (docs/indian-market.md#lot-sizes); an F&O instrument whose
 *   lot is unknown is refused rather than guessed.
 * - FREEZE_QUANTITY: an order above the exchange's freeze quantity is refused (the exchange would
 *   reject it), unless the trade slices it (`freezeSlicing`, ../freeze-slices.ts): then only an
 *   order needing more than MAX_FREEZE_SLICES slices is refused.
 * - TICK_SIZE: limit, stop-loss and target prices are whole ticks.
 * - CIRCUIT_BAND: a limit price outside the day's price band (the quote's circuits) is refused
 *   (docs/indian-market.md#price-bands: the exchange does not accept it).
 * - PRODUCT_NOT_ALLOWED: Breeze refuses margin (and option-plus) orders through the API
 *   (docs/breeze-api.md#regulatory-restrictions).
 *
 * @module
 */
import type { Paise } from '../money.ts';
import type { Product } from '../trade.ts';
import { freezeSlices, MAX_FREEZE_SLICES, maxSliceQuantity } from '../freeze-slices.ts';
import type { Violation } from './rules.ts';

export const INDIA_RULES = ['LOT_SIZE', 'FREEZE_QUANTITY', 'TICK_SIZE', 'CIRCUIT_BAND', 'PRODUCT_NOT_ALLOWED'] as const;
export type IndiaRule = (typeof INDIA_RULES)[number];
export type RuleSwitches = Record<IndiaRule, boolean>;

export const ALL_ON: RuleSwitches = { LOT_SIZE: true, FREEZE_QUANTITY: true, TICK_SIZE: true, CIRCUIT_BAND: true, PRODUCT_NOT_ALLOWED: true };

export interface InstrumentRules {
  lotSize?: number | undefined;
  freezeQuantity?: number | undefined;
  tickPaise: number;
}

export interface IndiaOrder {
  product: Product;
  quantity: number;
  limitPricePaise?: Paise | undefined;
  stopLossPaise?: Paise | undefined;
  targetPaise?: Paise | undefined;
}

export interface IndiaContext {
  broker: 'paper' | 'breeze';
  upperCircuitPaise?: Paise | undefined;
  lowerCircuitPaise?: Paise | undefined;
  /** The trade sends an F&O order above the freeze quantity as slices (docs/indian-market.md#freeze-quantities). */
  freezeSlicing?: boolean | undefined;
}

export function switchesFrom(overrides: Partial<Record<string, boolean>>): RuleSwitches {
  return Object.fromEntries(INDIA_RULES.map((r) => [r, overrides[r] ?? true])) as RuleSwitches;
}

export function checkIndiaRules(order: IndiaOrder, rules: InstrumentRules, on: RuleSwitches, ctx: IndiaContext): Violation[] {
  const out: Violation[] = [];
  const fno = order.product === 'FUTURES' || order.product === 'OPTIONS';
  if (on.LOT_SIZE && fno) {
    if (!rules.lotSize) out.push({ rule: 'LOT_SIZE', limit: 'known lot size', actual: 'unknown', message: 'The lot size of this contract is not known; load the security master before trading it' });
    else if (order.quantity % rules.lotSize !== 0) {
      out.push({ rule: 'LOT_SIZE', limit: rules.lotSize, actual: order.quantity, message: `F&O quantities are whole lots of ${rules.lotSize}` });
    }
  }
  if (on.FREEZE_QUANTITY && rules.freezeQuantity && order.quantity > rules.freezeQuantity) {
    const slice = ctx.freezeSlicing && fno ? maxSliceQuantity(rules) : undefined;
    if (!slice) out.push({ rule: 'FREEZE_QUANTITY', limit: rules.freezeQuantity, actual: order.quantity, message: `Above the exchange's freeze quantity of ${rules.freezeQuantity}` });
    else if (freezeSlices(order.quantity, slice).length > MAX_FREEZE_SLICES) {
      out.push({ rule: 'FREEZE_QUANTITY', limit: slice * MAX_FREEZE_SLICES, actual: order.quantity, message: `More than ${MAX_FREEZE_SLICES} slices of the exchange's freeze quantity of ${rules.freezeQuantity}` });
    }
  }
  if (on.TICK_SIZE) {
    for (const [name, price] of [['limit price', order.limitPricePaise], ['stop-loss', order.stopLossPaise], ['target', order.targetPaise]] as const) {
      if (price !== undefined && price % rules.tickPaise !== 0) {
        out.push({ rule: 'TICK_SIZE', limit: rules.tickPaise, actual: price, message: `The ${name} must be a multiple of the tick (${rules.tickPaise} paise)` });
      }
    }
  }
  if (on.CIRCUIT_BAND && order.limitPricePaise !== undefined) {
    const { upperCircuitPaise: upper, lowerCircuitPaise: lower } = ctx;
    if ((upper !== undefined && order.limitPricePaise > upper) || (lower !== undefined && order.limitPricePaise < lower)) {
      out.push({ rule: 'CIRCUIT_BAND', limit: `${lower ?? '-'}..${upper ?? '-'}`, actual: order.limitPricePaise, message: "The limit price is outside the day's price band" });
    }
  }
  if (on.PRODUCT_NOT_ALLOWED && ctx.broker === 'breeze' && order.product === 'MARGIN') {
    out.push({ rule: 'PRODUCT_NOT_ALLOWED', limit: 'CASH, FUTURES, OPTIONS', actual: order.product, message: 'Breeze does not accept margin orders through the API' });
  }
  return out;
}
