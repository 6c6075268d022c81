/**
 * What changed in the risk settings between two starts, and whether it loosened them. A loosened
 * limit through the environment skips the second admin that PUT /risk/limits asks for
 * (src/domain/risk/limits.ts `loosenedKeys`), so the start audits it as such.
 *
 * @module
 */
import { defaultRiskLimits } from '../config.ts';
import { loosenedKeys, type RiskLimitKey } from '../domain/risk/limits.ts';
import type { RiskSettings } from './sections/risk.ts';

export type SettingValue = string | number | boolean | null;
export type SettingsSnapshot = Record<string, SettingValue>;

export interface RiskSettingsChange {
  /** The settings that differ, with their values at the last start and now. */
  old: SettingsSnapshot;
  new: SettingsSnapshot;
  /** Settings whose new value is looser (limits and the circuit breaker). */
  loosened: string[];
  /** A limit that PUT /risk/limits lets loose only with a second admin was loosened here without one. */
  bypassedSecondAdmin: boolean;
}

const LIMIT_SETTINGS: Record<RiskLimitKey, keyof RiskSettings> = {
  maxPositionQuantity: 'RISK_MAX_POSITION_QUANTITY',
  maxOpenPositions: 'RISK_MAX_OPEN_POSITIONS',
  dailyLossLimitPaise: 'RISK_DAILY_LOSS_LIMIT',
  maxConcentrationBp: 'RISK_MAX_CONCENTRATION',
  maxTradeValuePaise: 'RISK_MAX_TRADE_VALUE',
  maxOrdersPerSecond: 'RISK_MAX_ORDERS_PER_SECOND',
  priceBandBp: 'RISK_PRICE_BAND',
};

/** How looseness grows with each circuit-breaker setting: +1 higher is looser, -1 lower is looser. */
const BREAKER_LOOSER: Partial<Record<keyof RiskSettings, (old: SettingValue, now: SettingValue) => boolean>> = {
  BREAKER_BROKER_FAILURES: (o, n) => Number(n) > Number(o),
  BREAKER_BROKER_FAILURE_WINDOW_S: (o, n) => Number(n) < Number(o),
  // 0 turns the losing-streak cool-down off: the loosest value there is.
  BREAKER_LOSS_STREAK: (o, n) => (Number(n) === 0 ? Infinity : Number(n)) > (Number(o) === 0 ? Infinity : Number(o)),
  BREAKER_LOSS_COOLDOWN_S: (o, n) => Number(n) < Number(o),
  DAILY_LOSS_ACTION: (o, n) => o === 'flatten' && n === 'reduce',
};

/** The risk section as a flat, comparable snapshot. */
export function riskSnapshot(risk: RiskSettings): SettingsSnapshot {
  return Object.fromEntries(Object.entries(risk).sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => [k, (v ?? null) as SettingValue]));
}

/** The change from the last start's snapshot to the settings now; undefined when nothing changed. */
export function riskSettingsChange(before: SettingsSnapshot, now: RiskSettings): RiskSettingsChange | undefined {
  const after = riskSnapshot(now);
  const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
  const changed = keys.filter((k) => (before[k] ?? null) !== (after[k] ?? null));
  if (!changed.length) return undefined;

  // Limits compare as the risk engine reads them; a setting missing last time is new, not looser.
  const known = (k: string) => before[k] !== undefined && before[k] !== null;
  const wasLimits = defaultRiskLimits({ ...now, ...before } as RiskSettings);
  const limitKeys = loosenedKeys(wasLimits, defaultRiskLimits(now)).filter((k) => known(LIMIT_SETTINGS[k]));
  const loosenedLimits = limitKeys.map((k) => LIMIT_SETTINGS[k]);
  const loosenedBreaker = changed.filter((k) => known(k) && BREAKER_LOOSER[k as keyof RiskSettings]?.(before[k]!, after[k] ?? null));
  return {
    old: Object.fromEntries(changed.map((k) => [k, before[k] ?? null])),
    new: Object.fromEntries(changed.map((k) => [k, after[k] ?? null])),
    loosened: [...loosenedLimits, ...loosenedBreaker].sort(),
    bypassedSecondAdmin: loosenedLimits.length > 0,
  };
}
