/**
 * How much of each limit an account uses now, for GET /risk/status and the console.
 *
 * @module
 */
import { fractionOf, notional, type Paise } from '../money.ts';
import type { RiskLimits } from './limits.ts';
import { type Book, type MarketContext, unrealizedPnl } from './rules.ts';

export interface LimitUsage {
  used: number;
  limit: number;
  /** used / limit, 0..1+ */
  ratio: number;
}

export interface RiskUsage {
  openPositions: LimitUsage;
  dailyLoss: LimitUsage & { realizedPaise: Paise; unrealizedPaise: Paise | null };
  /** The largest position, by quantity and by share of capital. */
  largestPositionQuantity: LimitUsage;
  largestConcentration: LimitUsage;
  ordersLastSecond: LimitUsage;
}

const usage = (used: number, limit: number): LimitUsage => ({ used, limit, ratio: limit > 0 ? used / limit : 0 });

export function riskUsage(book: Book, limits: RiskLimits, market: MarketContext): RiskUsage {
  const byInstrument = new Map<string, { quantity: number; valuePaise: Paise }>();
  for (const p of book.positions) {
    const e = byInstrument.get(p.instrumentKey) ?? { quantity: 0, valuePaise: 0 };
    e.quantity += p.quantity;
    e.valuePaise += notional(p.quantity, p.lastPrice?.pricePaise ?? p.entryPricePaise);
    byInstrument.set(p.instrumentKey, e);
  }
  for (const r of book.reservations) {
    const e = byInstrument.get(r.instrumentKey) ?? { quantity: 0, valuePaise: 0 };
    e.quantity += r.quantity;
    e.valuePaise += r.notionalPaise;
    byInstrument.set(r.instrumentKey, e);
  }
  const entries = [...byInstrument.values()];
  const unrealized = unrealizedPnl(book.positions, market);
  const loss = Math.max(0, -(book.realizedTodayPaise + (unrealized ?? 0)));
  return {
    openPositions: usage(byInstrument.size, limits.maxOpenPositions),
    dailyLoss: { ...usage(loss, limits.dailyLossLimitPaise), realizedPaise: book.realizedTodayPaise, unrealizedPaise: unrealized ?? null },
    largestPositionQuantity: usage(Math.max(0, ...entries.map((e) => e.quantity)), limits.maxPositionQuantity),
    largestConcentration: usage(Math.max(0, ...entries.map((e) => e.valuePaise)), fractionOf(book.capitalPaise, limits.maxConcentrationBp)),
    ordersLastSecond: usage(book.ordersLastSecond, limits.maxOrdersPerSecond),
  };
}
