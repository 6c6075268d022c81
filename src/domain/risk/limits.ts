/**
 * The risk limits of an account. Defaults come from the RISK_* settings; an admin changes them at
 * run time (tightening applies at once, loosening after a second admin approves).
 *
 * @module
 */
import type { Paise } from '../money.ts';

export interface RiskLimits {
  /** Units in one position (instrument), open and reserved together. */
  maxPositionQuantity: number;
  /** Distinct instruments held or reserved at once. */
  maxOpenPositions: number;
  /** Realized plus unrealized loss of the IST trading day that stops new entries. */
  dailyLossLimitPaise: Paise;
  /** Largest share of capital in one position, in basis points (4000 = 40%). */
  maxConcentrationBp: number;
  /** Largest value of one order. */
  maxTradeValuePaise: Paise;
  /** Entry orders per second per account (SEBI's unregistered-algo threshold is 10/s). */
  maxOrdersPerSecond: number;
  /** Largest distance of a limit price from the last traded price, in basis points (fat-finger guard). */
  priceBandBp: number;
}

export type RiskLimitKey = keyof RiskLimits;
export const RISK_LIMIT_KEYS: RiskLimitKey[] = [
  'maxPositionQuantity',
  'maxOpenPositions',
  'dailyLossLimitPaise',
  'maxConcentrationBp',
  'maxTradeValuePaise',
  'maxOrdersPerSecond',
  'priceBandBp',
];

/** The keys whose new value is looser than the old one (a higher number is looser for every limit). */
export function loosenedKeys(current: RiskLimits, proposed: Partial<RiskLimits>): RiskLimitKey[] {
  return RISK_LIMIT_KEYS.filter((k) => proposed[k] !== undefined && proposed[k] > current[k]);
}

/** Overrides applied over the defaults. */
export function effectiveLimits(defaults: RiskLimits, overrides: Partial<RiskLimits>): RiskLimits {
  const limits = { ...defaults };
  for (const key of RISK_LIMIT_KEYS) {
    const value = overrides[key];
    if (typeof value === 'number' && Number.isFinite(value)) limits[key] = value;
  }
  return limits;
}
