/**
 * The day's report of one account, from the day's rows: fills (with their charges by kind), the
 * trades closed that day, the positions open when the day began, and the account's limits.
 *
 * P&L is realized P&L: gross is the price move of every exit fill of the day against its trade's
 * entry price, charges are those of every fill of the day (entries included; charges are booked
 * when incurred), net is gross less charges. Trade counts, win rate and the largest loss are over
 * the trades closed that day, on each trade's own net P&L (docs/daily-report.md).
 *
 * @module
 */
import type { ChargeBreakdown } from './charges.ts';
import type { Paise } from './money.ts';
import type { Side } from './trade.ts';

export type ChargeKinds = Omit<ChargeBreakdown, 'total'>;
export const CHARGE_KINDS = ['brokerage', 'stt', 'exchange', 'sebi', 'stamp', 'gst'] as const satisfies readonly (keyof ChargeKinds)[];

export interface ReportFill {
  tradeId: string;
  instrument: string;
  leg: 'ENTRY' | 'EXIT';
  /** The trade's side (an exit fill trades the other way). */
  side: Side;
  quantity: number;
  pricePaise: Paise;
  /** The trade's average entry price. */
  entryPricePaise: Paise | null;
  chargesPaise: Paise;
  kinds: ChargeKinds;
  filledAt: Date;
}

export interface ReportInput {
  accountId: string;
  /** IST date, YYYY-MM-DD. */
  day: string;
  /** Whether the exchange traded that day (weekday and not a holiday, or a special session). */
  tradingDay: boolean;
  fills: ReportFill[];
  /** Net P&L of each trade closed that day. */
  closedTrades: { id: string; realizedPnlPaise: Paise }[];
  /** Units held per instrument when the day began. */
  openAtStart: Record<string, number>;
  /** Trades refused by the risk checks that day. */
  rejectedTrades: number;
  limits: { dailyLossLimitPaise: Paise; maxOpenPositions: number };
}

export interface DailyReport {
  accountId: string;
  day: string;
  tradingDay: boolean;
  fills: number;
  turnoverPaise: Paise;
  trades: { closed: number; wins: number; losses: number; winRate: number | null; largestLossPaise: Paise | null; largestWinPaise: Paise | null };
  pnl: { grossPaise: Paise; chargesPaise: Paise; netPaise: Paise };
  /** `unattributed`: charges of fills stored before charges were kept by kind. */
  charges: ChargeKinds & { unattributed: Paise; total: Paise };
  limits: { dailyLossUsedPaise: Paise; dailyLossLimitPaise: Paise; dailyLossUsedRatio: number | null; maxOpenPositionsReached: number; maxOpenPositions: number; rejectedTrades: number };
  /** Cumulative net P&L after each fill of the day, in time order. */
  curve: { at: string; netPaise: Paise }[];
}

/** The realized gross P&L of one fill: exits only, against the trade's entry price. */
export function fillGross(f: ReportFill): Paise {
  if (f.leg !== 'EXIT' || f.entryPricePaise === null) return 0;
  return (f.pricePaise - f.entryPricePaise) * f.quantity * (f.side === 'BUY' ? 1 : -1);
}

export function dailyReport(input: ReportInput): DailyReport {
  const fills = [...input.fills].sort((a, b) => a.filledAt.getTime() - b.filledAt.getTime());
  const charges = { brokerage: 0, stt: 0, exchange: 0, sebi: 0, stamp: 0, gst: 0, unattributed: 0, total: 0 };
  let gross = 0;
  let turnover = 0;
  const curve: DailyReport['curve'] = [];
  const held = new Map(Object.entries(input.openAtStart).filter(([, q]) => q > 0));
  let peak = held.size;
  for (const f of fills) {
    for (const k of CHARGE_KINDS) charges[k] += f.kinds[k];
    charges.unattributed += f.chargesPaise - CHARGE_KINDS.reduce((s, k) => s + f.kinds[k], 0);
    charges.total += f.chargesPaise;
    gross += fillGross(f);
    turnover += f.quantity * f.pricePaise;
    curve.push({ at: f.filledAt.toISOString(), netPaise: gross - charges.total });
    const left = (held.get(f.instrument) ?? 0) + (f.leg === 'ENTRY' ? f.quantity : -f.quantity);
    if (left > 0) held.set(f.instrument, left);
    else held.delete(f.instrument);
    peak = Math.max(peak, held.size);
  }
  const pnls = input.closedTrades.map((t) => t.realizedPnlPaise);
  const wins = pnls.filter((p) => p > 0);
  const losses = pnls.filter((p) => p < 0);
  const net = gross - charges.total;
  const used = Math.max(0, -net);
  const limit = input.limits.dailyLossLimitPaise;
  return {
    accountId: input.accountId,
    day: input.day,
    tradingDay: input.tradingDay,
    fills: fills.length,
    turnoverPaise: turnover,
    trades: {
      closed: pnls.length,
      wins: wins.length,
      losses: losses.length,
      winRate: pnls.length ? wins.length / pnls.length : null,
      largestLossPaise: losses.length ? Math.min(...losses) : null,
      largestWinPaise: wins.length ? Math.max(...wins) : null,
    },
    pnl: { grossPaise: gross, chargesPaise: charges.total, netPaise: net },
    charges,
    limits: { dailyLossUsedPaise: used, dailyLossLimitPaise: limit, dailyLossUsedRatio: limit > 0 ? used / limit : null, maxOpenPositionsReached: peak, maxOpenPositions: input.limits.maxOpenPositions, rejectedTrades: input.rejectedTrades },
    curve,
  };
}

/** Whether `day` is a real IST calendar date written YYYY-MM-DD. */
export function isIstDate(day: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(day)) return false;
  const d = new Date(`${day}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === day;
}

/** Whether the exchange trades on an IST date: a weekday that is not a holiday, or a day with a special session. */
export function isTradingDay(day: string, mode: 'nse' | 'always', holidays: ReadonlySet<string>, specialSessions: ReadonlySet<string>): boolean {
  if (mode === 'always' || specialSessions.has(day)) return true;
  const weekday = new Date(`${day}T00:00:00Z`).getUTCDay();
  return weekday !== 0 && weekday !== 6 && !holidays.has(day);
}

/** The UTC window of an IST date: [00:00 IST, next day 00:00 IST). */
export function istDayWindow(day: string): { from: Date; to: Date } {
  const from = new Date(Date.parse(`${day}T00:00:00.000Z`) - 330 * 60_000);
  return { from, to: new Date(from.getTime() + 86_400_000) };
}
