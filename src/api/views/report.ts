/**
 * The day's report as the API shows it: JSON in rupees with ISO times, and CSV (one header row and
 * one row of values, amounts in rupees).
 *
 * @module
 */
import { paiseToRupees } from '../../domain/money.ts';
import type { DailyReport } from '../../domain/report.ts';

const rupees = (p: number) => paiseToRupees(p);
const orNull = (p: number | null) => (p === null ? null : paiseToRupees(p));

export function reportJson(r: DailyReport) {
  const c = r.charges;
  return {
    day: r.day,
    timezone: 'Asia/Kolkata',
    accountId: r.accountId,
    tradingDay: r.tradingDay,
    fills: r.fills,
    turnover: rupees(r.turnoverPaise),
    trades: { closed: r.trades.closed, wins: r.trades.wins, losses: r.trades.losses, winRate: r.trades.winRate, largestLoss: orNull(r.trades.largestLossPaise), largestWin: orNull(r.trades.largestWinPaise) },
    pnl: { gross: rupees(r.pnl.grossPaise), charges: rupees(r.pnl.chargesPaise), net: rupees(r.pnl.netPaise) },
    charges: { brokerage: rupees(c.brokerage), stt: rupees(c.stt), exchange: rupees(c.exchange), sebi: rupees(c.sebi), stamp: rupees(c.stamp), gst: rupees(c.gst), unattributed: rupees(c.unattributed), total: rupees(c.total) },
    limits: {
      dailyLoss: { used: rupees(r.limits.dailyLossUsedPaise), limit: rupees(r.limits.dailyLossLimitPaise), ratio: r.limits.dailyLossUsedRatio },
      openPositions: { maxReached: r.limits.maxOpenPositionsReached, limit: r.limits.maxOpenPositions },
      rejectedTrades: r.limits.rejectedTrades,
    },
    curve: r.curve.map((p) => ({ at: p.at, net: rupees(p.netPaise) })),
  };
}

const money = (p: number | null) => (p === null ? '' : (p / 100).toFixed(2));

/** RFC 4180 CSV; no field holds a comma, quote or line break except the account id, which is quoted when it does. */
export function reportCsv(r: DailyReport): string {
  const c = r.charges;
  const quote = (s: string) => (/[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s);
  const columns: [string, string | number][] = [
    ['day', r.day],
    ['account_id', quote(r.accountId)],
    ['trading_day', String(r.tradingDay)],
    ['fills', r.fills],
    ['turnover', money(r.turnoverPaise)],
    ['trades_closed', r.trades.closed],
    ['wins', r.trades.wins],
    ['losses', r.trades.losses],
    ['win_rate', r.trades.winRate === null ? '' : r.trades.winRate.toFixed(4)],
    ['largest_loss', money(r.trades.largestLossPaise)],
    ['gross_pnl', money(r.pnl.grossPaise)],
    ['brokerage', money(c.brokerage)],
    ['stt', money(c.stt)],
    ['exchange_charges', money(c.exchange)],
    ['sebi_fee', money(c.sebi)],
    ['stamp_duty', money(c.stamp)],
    ['gst', money(c.gst)],
    ['unattributed_charges', money(c.unattributed)],
    ['charges_total', money(c.total)],
    ['net_pnl', money(r.pnl.netPaise)],
    ['daily_loss_used', money(r.limits.dailyLossUsedPaise)],
    ['daily_loss_limit', money(r.limits.dailyLossLimitPaise)],
    ['max_open_positions_reached', r.limits.maxOpenPositionsReached],
    ['max_open_positions', r.limits.maxOpenPositions],
    ['rejected_trades', r.limits.rejectedTrades],
  ];
  return `${columns.map(([k]) => k).join(',')}\r\n${columns.map(([, v]) => v).join(',')}\r\n`;
}
