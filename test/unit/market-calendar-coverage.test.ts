import { describe, expect, it } from 'vitest';
import { calendarDaysLeft, calendarViolation, firstMissingYear, istYear } from '../../src/domain/calendar/coverage.ts';
import { evaluate } from '../../src/domain/alerts/evaluate.ts';
import { builtinRules } from '../../src/domain/alerts/rules.ts';
import { marketStatus } from '../../src/domain/market-calendar.ts';
import { calendarSamples } from '../../src/observability/samples.ts';

const ist = (date: string, hhmm = '00:00') => new Date(`${date}T${hhmm}:00+05:30`);
const only2026 = new Set([2026]);

describe('how far the loaded calendar reaches', () => {
  it('counts the days until the first year without a calendar starts (IST midnight, 1 January)', () => {
    expect(calendarDaysLeft(ist('2026-12-02'), only2026)).toBe(30);
    expect(calendarDaysLeft(ist('2026-12-31', '12:00'), only2026)).toBe(0.5);
    expect(calendarDaysLeft(ist('2026-06-01'), new Set([2026, 2027]))).toBe(214 + 365);
    expect(firstMissingYear(ist('2026-06-01'), new Set([2026, 2027, 2029]))).toBe(2028);
  });

  it('has no days left once the current IST year has no calendar', () => {
    expect(calendarDaysLeft(ist('2027-01-01', '00:00'), only2026)).toBe(0);
    // 31 Dec 2026 19:00 UTC is already 1 Jan 2027 in IST.
    expect(calendarDaysLeft(new Date('2026-12-31T19:00:00Z'), only2026)).toBe(0);
  });

  it('warns 30 days before a year starts without its calendar, and fires critical when it has started', () => {
    const rules = builtinRules({ minWorkers: 1 });
    const firingAt = (now: Date) => {
      const samples = calendarSamples([{ exchange: 'NSE', currentYearLoaded: only2026.has(istYear(now)), daysLeft: calendarDaysLeft(now, only2026) }]);
      return evaluate(rules, samples, [], now.getTime(), 0).notifications.map((n) => `${n.ruleId}:${n.severity}`);
    };
    expect(firingAt(ist('2026-11-30'))).toEqual([]);
    expect(firingAt(ist('2026-12-02'))).toEqual(['market_calendar_expiring:warning']);
    expect(firingAt(ist('2027-01-04', '10:00'))).toEqual(['market_calendar_missing:critical']);
  });
});

describe('orders in a year without a calendar', () => {
  it('are refused with MARKET_CALENDAR_MISSING under NSE hours, naming the cash exchange F&O follows', () => {
    expect(calendarViolation(ist('2027-01-05', '10:00'), 'nse', 'NFO', only2026)).toMatchObject({ rule: 'MARKET_CALENDAR_MISSING', limit: 'NSE calendar for 2027 loaded', actual: 'not loaded' });
    expect(calendarViolation(ist('2026-12-04', '10:00'), 'nse', 'NSE', only2026)).toBeUndefined();
  });

  it('are not refused with MARKET_HOURS=always (paper trading and tests)', () => {
    expect(calendarViolation(ist('2027-01-05', '10:00'), 'always', 'NSE', only2026)).toBeUndefined();
  });
});

describe('special sessions', () => {
  const muhurat = new Map([['2026-11-08', { opens: '18:00', closes: '19:00' }]]);
  it('open a Sunday or a holiday between their times only', () => {
    expect(marketStatus(ist('2026-11-08', '18:30'), 'nse', new Set(), muhurat).open).toBe(true);
    expect(marketStatus(ist('2026-11-08', '19:00'), 'nse', new Set(), muhurat)).toMatchObject({ open: false, reason: expect.stringContaining('special session') });
    expect(marketStatus(ist('2026-11-08', '10:00'), 'nse', new Set(), muhurat).open).toBe(false);
    expect(marketStatus(ist('2026-11-08', '18:30'), 'nse', new Set()).open).toBe(false);
  });
});
