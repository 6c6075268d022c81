import { describe, expect, it } from 'vitest';
import { chargesForFill, DEFAULT_CHARGES } from '../../src/domain/charges.ts';
import { dailyReport, isIstDate, istDayWindow, isTradingDay, type ReportFill, type ReportInput } from '../../src/domain/report.ts';
import { reportCsv } from '../../src/api/views/report.ts';
import { pnlChart, reportPage } from '../../src/api/views/report-page.ts';

const DAY = '2026-12-04';
const at = (hhmm: string) => new Date(`${DAY}T${hhmm}:00+05:30`);

function fill(tradeId: string, leg: 'ENTRY' | 'EXIT', pricePaise: number, time: string, o: Partial<ReportFill> = {}): ReportFill {
  const side = o.side ?? 'BUY';
  const fillSide = leg === 'ENTRY' ? side : side === 'BUY' ? 'SELL' : 'BUY';
  const { total, ...kinds } = chargesForFill(DEFAULT_CHARGES, 'EQUITY_INTRADAY', fillSide, 10 * pricePaise, true);
  return { tradeId, instrument: `NSE:${tradeId}:CASH`, leg, side, quantity: 10, pricePaise, entryPricePaise: 100_00, chargesPaise: total, kinds, filledAt: at(time), ...o };
}

const input = (o: Partial<ReportInput> = {}): ReportInput => ({
  accountId: 'acct',
  day: DAY,
  tradingDay: true,
  fills: [],
  closedTrades: [],
  openAtStart: {},
  rejectedTrades: 0,
  limits: { dailyLossLimitPaise: 5_000_00, maxOpenPositions: 5 },
  ...o,
});

describe("the day's report", () => {
  it('sums charges by kind over the day and their total equals the charges of the fills', () => {
    const fills = [fill('a', 'ENTRY', 100_00, '09:30'), fill('a', 'EXIT', 110_00, '10:00')];
    const r = dailyReport(input({ fills }));
    for (const k of ['brokerage', 'stt', 'exchange', 'sebi', 'stamp', 'gst'] as const) expect(r.charges[k]).toBe(fills[0]!.kinds[k] + fills[1]!.kinds[k]);
    expect(r.charges.total).toBe(fills[0]!.chargesPaise + fills[1]!.chargesPaise);
    expect(r.charges.unattributed).toBe(0);
    expect(r.charges.stt).toBeGreaterThan(0);
    expect(r.charges.stamp).toBeGreaterThan(0);
  });

  it('counts charges of fills stored without kinds as unattributed', () => {
    const old = fill('a', 'ENTRY', 100_00, '09:30', { chargesPaise: 25_00, kinds: { brokerage: 0, stt: 0, exchange: 0, sebi: 0, stamp: 0, gst: 0 } });
    const r = dailyReport(input({ fills: [old] }));
    expect(r.charges).toMatchObject({ unattributed: 25_00, total: 25_00 });
  });

  it('takes gross P&L from exit fills against the entry price (long and short) and nets the charges', () => {
    const fills = [
      fill('a', 'ENTRY', 100_00, '09:30'),
      fill('a', 'EXIT', 110_00, '10:00'),
      fill('b', 'ENTRY', 100_00, '11:00', { side: 'SELL' }),
      fill('b', 'EXIT', 104_00, '11:30', { side: 'SELL' }),
    ];
    const r = dailyReport(input({ fills }));
    expect(r.pnl.grossPaise).toBe(10 * 10_00 - 10 * 4_00);
    expect(r.pnl.netPaise).toBe(r.pnl.grossPaise - r.charges.total);
    expect(r.curve).toHaveLength(4);
    expect(r.curve.at(-1)!.netPaise).toBe(r.pnl.netPaise);
    expect(r.turnoverPaise).toBe(10 * (100_00 + 110_00 + 100_00 + 104_00));
  });

  it('gives the win rate and the largest loss over the trades closed that day', () => {
    const r = dailyReport(input({ closedTrades: [{ id: 'a', realizedPnlPaise: 500_00 }, { id: 'b', realizedPnlPaise: -120_00 }, { id: 'c', realizedPnlPaise: -300_00 }, { id: 'd', realizedPnlPaise: 50_00 }] }));
    expect(r.trades).toEqual({ closed: 4, wins: 2, losses: 2, winRate: 0.5, largestLossPaise: -300_00, largestWinPaise: 500_00 });
  });

  it('reports the daily loss used against the limit and the most positions held at once', () => {
    const fills = [
      fill('a', 'ENTRY', 100_00, '09:30'),
      fill('b', 'ENTRY', 100_00, '09:40'),
      fill('a', 'EXIT', 90_00, '10:00'),
      fill('b', 'EXIT', 95_00, '10:10'),
    ];
    const r = dailyReport(input({ fills, openAtStart: { 'NSE:held:CASH': 5 }, rejectedTrades: 2 }));
    expect(r.limits.maxOpenPositionsReached).toBe(3);
    expect(r.limits.dailyLossUsedPaise).toBe(-r.pnl.netPaise);
    expect(r.limits.dailyLossUsedRatio).toBeCloseTo(-r.pnl.netPaise / 5_000_00);
    expect(r.limits.rejectedTrades).toBe(2);
  });

  it('is empty and zero on a day without fills, and its page says there is nothing to chart', () => {
    const r = dailyReport(input({ tradingDay: false }));
    expect(r).toMatchObject({ fills: 0, turnoverPaise: 0, pnl: { grossPaise: 0, chargesPaise: 0, netPaise: 0 }, trades: { closed: 0, winRate: null, largestLossPaise: null }, curve: [] });
    expect(r.limits.dailyLossUsedPaise).toBe(0);
    expect(pnlChart(r)).toContain('No fills');
    expect(reportPage(r)).toContain('Not a trading day');
  });

  it('draws the chart as inline SVG with IST times and writes CSV with one row of values', () => {
    const r = dailyReport(input({ fills: [fill('a', 'ENTRY', 100_00, '09:30'), fill('a', 'EXIT', 110_00, '10:05')] }));
    const svg = pnlChart(r);
    expect(svg).toMatch(/^<svg /);
    expect(svg).toContain('09:30 IST');
    expect(svg).toContain('10:05 IST');
    expect(reportPage(r)).not.toMatch(/<script|https?:\/\/(?!www\.w3\.org)/);
    const [header, values] = reportCsv(r).trim().split('\r\n');
    expect(header!.split(',')).toContain('net_pnl');
    expect(values!.split(',')[header!.split(',').indexOf('net_pnl')]).toBe((r.pnl.netPaise / 100).toFixed(2));
  });
});

describe('IST days', () => {
  it('accepts only real dates written YYYY-MM-DD', () => {
    expect(isIstDate('2026-12-04')).toBe(true);
    for (const bad of ['2026-02-30', '2026-13-01', '04-12-2026', '2026-12-4', 'today', '']) expect(isIstDate(bad)).toBe(false);
  });

  it('spans IST midnight to midnight', () => {
    expect(istDayWindow('2026-12-04')).toEqual({ from: new Date('2026-12-03T18:30:00Z'), to: new Date('2026-12-04T18:30:00Z') });
  });

  it('is a trading day on weekdays that are not holidays, and on special sessions', () => {
    expect(isTradingDay('2026-12-04', 'nse', new Set(), new Set())).toBe(true);
    expect(isTradingDay('2026-12-05', 'nse', new Set(), new Set())).toBe(false);
    expect(isTradingDay('2026-12-04', 'nse', new Set(['2026-12-04']), new Set())).toBe(false);
    expect(isTradingDay('2026-11-08', 'nse', new Set(), new Set(['2026-11-08']))).toBe(true);
    expect(isTradingDay('2026-12-05', 'always', new Set(), new Set())).toBe(true);
  });
});
