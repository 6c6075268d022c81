/**
 * The day's report as a short plain-text message (alert channels: e-mail, Telegram, the log).
 *
 * @module
 */
import { formatRupees } from './money.ts';
import type { DailyReport } from './report.ts';

export function reportSummary(r: DailyReport): string {
  return `day's report ${r.day} (IST), account ${r.accountId}: net ${formatRupees(r.pnl.netPaise)}, ${r.trades.closed} trade${r.trades.closed === 1 ? '' : 's'} closed`;
}

export function reportText(r: DailyReport): string {
  const c = r.charges;
  const pct = (x: number | null) => (x === null ? 'n/a' : `${(x * 100).toFixed(1)}%`);
  return [
    `Day's report, ${r.day} (IST), account ${r.accountId}${r.tradingDay ? '' : ' (not a trading day)'}`,
    '',
    `Trades closed: ${r.trades.closed} (won ${r.trades.wins}, lost ${r.trades.losses}), win rate ${pct(r.trades.winRate)}`,
    `Largest loss: ${r.trades.largestLossPaise === null ? 'none' : formatRupees(r.trades.largestLossPaise)}`,
    `Fills: ${r.fills}, turnover ${formatRupees(r.turnoverPaise)}`,
    `Gross P&L: ${formatRupees(r.pnl.grossPaise)}`,
    `Charges: ${formatRupees(c.total)} (brokerage ${formatRupees(c.brokerage)}, STT ${formatRupees(c.stt)}, exchange ${formatRupees(c.exchange)}, SEBI ${formatRupees(c.sebi)}, stamp ${formatRupees(c.stamp)}, GST ${formatRupees(c.gst)}${c.unattributed ? `, unattributed ${formatRupees(c.unattributed)}` : ''})`,
    `Net P&L: ${formatRupees(r.pnl.netPaise)}`,
    `Daily loss used: ${formatRupees(r.limits.dailyLossUsedPaise)} of ${formatRupees(r.limits.dailyLossLimitPaise)} (${pct(r.limits.dailyLossUsedRatio)})`,
    `Open positions at most: ${r.limits.maxOpenPositionsReached} of ${r.limits.maxOpenPositions}; refused trades: ${r.limits.rejectedTrades}`,
  ].join('\n');
}
