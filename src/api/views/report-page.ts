/**
 * The day's report as a readable HTML page with its P&L chart: an inline SVG drawn here, on the
 * server (no script, no CDN), times labelled IST.
 *
 * @module
 */
import { formatRupees } from '../../domain/money.ts';
import type { DailyReport } from '../../domain/report.ts';
import { istParts } from '../../domain/market-calendar.ts';

const W = 640;
const H = 240;
const PAD = { left: 80, right: 16, top: 16, bottom: 36 };

const esc = (s: string) => s.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;');

function istTime(iso: string): string {
  const m = istParts(new Date(iso)).minutes;
  return `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
}

/** Cumulative net P&L against IST time of day, as a step line with a zero line. */
export function pnlChart(r: DailyReport): string {
  if (!r.curve.length) return '<p>No fills on this day: no P&amp;L to chart.</p>';
  const times = r.curve.map((p) => istParts(new Date(p.at)).minutes + (new Date(p.at).getUTCSeconds() / 60));
  const values = [0, ...r.curve.map((p) => p.netPaise)];
  const [t0, t1] = [Math.min(...times), Math.max(...times)];
  const [v0, v1] = [Math.min(...values), Math.max(...values)];
  const x = (t: number) => PAD.left + ((t - t0) / (t1 - t0 || 1)) * (W - PAD.left - PAD.right);
  const y = (v: number) => PAD.top + (1 - (v - v0) / (v1 - v0 || 1)) * (H - PAD.top - PAD.bottom);
  let path = `M${x(t0).toFixed(1)},${y(0).toFixed(1)}`;
  r.curve.forEach((p, i) => {
    path += ` H${x(times[i]!).toFixed(1)} V${y(p.netPaise).toFixed(1)}`;
  });
  const first = r.curve[0]!.at;
  const last = r.curve.at(-1)!.at;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" role="img" aria-label="Net P&amp;L through the day (IST)">`,
    `<line x1="${PAD.left}" x2="${W - PAD.right}" y1="${y(0).toFixed(1)}" y2="${y(0).toFixed(1)}" stroke="#999" stroke-dasharray="4 3"/>`,
    `<path d="${path}" fill="none" stroke="${r.pnl.netPaise < 0 ? '#b3261e' : '#1b6e3a'}" stroke-width="2"/>`,
    `<text x="${PAD.left - 6}" y="${(y(v1) + 4).toFixed(1)}" text-anchor="end" font-size="11">${esc(formatRupees(v1))}</text>`,
    `<text x="${PAD.left - 6}" y="${(y(v0) + 4).toFixed(1)}" text-anchor="end" font-size="11">${esc(formatRupees(v0))}</text>`,
    `<text x="${PAD.left}" y="${H - 12}" font-size="11">${istTime(first)} IST</text>`,
    `<text x="${W - PAD.right}" y="${H - 12}" text-anchor="end" font-size="11">${istTime(last)} IST</text>`,
    '</svg>',
  ].join('');
}

export function reportPage(r: DailyReport): string {
  const c = r.charges;
  const pct = (v: number | null) => (v === null ? 'n/a' : `${(v * 100).toFixed(1)}%`);
  const row = (label: string, value: string) => `<tr><th scope="row">${esc(label)}</th><td>${esc(value)}</td></tr>`;
  const title = `Day's report ${r.day} (IST) — ${r.accountId}`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${esc(title)}</title>
<style>body{font-family:system-ui,sans-serif;max-width:720px;margin:2rem auto;padding:0 1rem;color:#222}table{border-collapse:collapse;margin:0 0 1.5rem}th,td{padding:.25rem .75rem;border-bottom:1px solid #ddd;text-align:left}td{text-align:right;font-variant-numeric:tabular-nums}</style>
</head><body>
<h1>${esc(title)}</h1>
${r.tradingDay ? '' : '<p><strong>Not a trading day</strong> on the exchange calendar.</p>'}
<h2>P&amp;L</h2>
<table>${row('Gross P&L', formatRupees(r.pnl.grossPaise))}${row('Charges', formatRupees(r.pnl.chargesPaise))}${row('Net P&L', formatRupees(r.pnl.netPaise))}</table>
<h2>Net P&amp;L through the day (IST)</h2>
${pnlChart(r)}
<h2>Trades</h2>
<table>${row('Trades closed', String(r.trades.closed))}${row('Won / lost', `${r.trades.wins} / ${r.trades.losses}`)}${row('Win rate', pct(r.trades.winRate))}${row('Largest loss', r.trades.largestLossPaise === null ? 'none' : formatRupees(r.trades.largestLossPaise))}${row('Fills', String(r.fills))}${row('Turnover', formatRupees(r.turnoverPaise))}</table>
<h2>Charges</h2>
<table>${row('Brokerage', formatRupees(c.brokerage))}${row('STT', formatRupees(c.stt))}${row('Exchange transaction charges', formatRupees(c.exchange))}${row('SEBI turnover fee', formatRupees(c.sebi))}${row('Stamp duty', formatRupees(c.stamp))}${row('GST', formatRupees(c.gst))}${c.unattributed ? row('Unattributed (older fills)', formatRupees(c.unattributed)) : ''}${row('Total', formatRupees(c.total))}</table>
<h2>Limits</h2>
<table>${row('Daily loss used', `${formatRupees(r.limits.dailyLossUsedPaise)} of ${formatRupees(r.limits.dailyLossLimitPaise)} (${pct(r.limits.dailyLossUsedRatio)})`)}${row('Open positions at most', `${r.limits.maxOpenPositionsReached} of ${r.limits.maxOpenPositions}`)}${row('Trades refused', String(r.limits.rejectedTrades))}</table>
</body></html>`;
}
