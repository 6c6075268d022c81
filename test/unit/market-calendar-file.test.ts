import { describe, expect, it } from 'vitest';
import { canonicalCalendar, parseExchangeCalendar, parseExchangeDate } from '../../src/domain/calendar/exchange-file.ts';
import { ValidationError } from '../../src/domain/errors.ts';

/** Two of the 2026 holidays the repository ships (migration 0004), in NSE's holiday-master form. */
const NSE_2026 = {
  CM: [
    { Sr_no: 2, tradingDate: '26-Jan-2026', weekDay: 'Monday', description: 'Republic Day' },
    { Sr_no: 1, tradingDate: '15-Jan-2026', weekDay: 'Thursday', description: 'Municipal Corporation Election - Maharashtra' },
  ],
  CBM: [{ tradingDate: '01-Apr-2026' }],
};

const problems = (fn: () => unknown) => {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ValidationError);
    return ((err as ValidationError).extensions?.errors as { pointer: string }[]).map((e) => e.pointer);
  }
  throw new Error('expected the file to be refused');
};

describe("NSE's holiday file", () => {
  it('reads the cash list (CM) in date order and ignores the other segments', () => {
    expect(parseExchangeCalendar(NSE_2026, 2026)).toEqual({
      year: 2026,
      holidays: [
        { day: '2026-01-15', description: 'Municipal Corporation Election - Maharashtra' },
        { day: '2026-01-26', description: 'Republic Day' },
      ],
      specialSessions: [],
    });
  });

  it("reads NSE's dates (26-Jan-2026, any case, unpadded) and ISO dates, and no impossible ones", () => {
    expect(parseExchangeDate('26-Jan-2026')).toBe('2026-01-26');
    expect(parseExchangeDate('8-NOV-2026')).toBe('2026-11-08');
    expect(parseExchangeDate('2026-11-08')).toBe('2026-11-08');
    expect(parseExchangeDate('29-Feb-2026')).toBeUndefined();
    expect(parseExchangeDate('26-Foo-2026')).toBeUndefined();
    expect(parseExchangeDate('26/01/2026')).toBeUndefined();
  });

  it('takes a special session with the times of its circular, on a holiday or a Sunday', () => {
    const c = parseExchangeCalendar({ ...NSE_2026, specialSessions: [{ tradingDate: '08-Nov-2026', weekDay: 'Sunday', opens: '18:00', closes: '19:00', description: 'Muhurat trading' }] }, 2026);
    expect(c.specialSessions).toEqual([{ day: '2026-11-08', opens: '18:00', closes: '19:00', description: 'Muhurat trading' }]);
  });

  it('refuses the whole file and names every problem: other year, wrong weekday, duplicate, no description', () => {
    const file = {
      CM: [
        { tradingDate: '26-Jan-2027', description: 'Next year' },
        { tradingDate: '26-Jan-2026', weekDay: 'Tuesday', description: 'Republic Day' },
        { tradingDate: '03-Mar-2026', description: 'Holi' },
        { tradingDate: '03-Mar-2026', description: 'Holi again' },
        { tradingDate: '14-Apr-2026', description: ' ' },
      ],
    };
    expect(problems(() => parseExchangeCalendar(file, 2026))).toEqual(['/CM/0/tradingDate', '/CM/1/weekDay', '/CM/3/tradingDate', '/CM/4/description']);
  });

  it('refuses a file without a cash list, or not an object, or with an F&O list that differs', () => {
    expect(problems(() => parseExchangeCalendar({ FO: NSE_2026.CM }, 2026))).toEqual(['/CM']);
    expect(problems(() => parseExchangeCalendar({ CM: [] }, 2026))).toEqual(['/CM']);
    expect(problems(() => parseExchangeCalendar([NSE_2026.CM], 2026))).toEqual(['']);
    expect(problems(() => parseExchangeCalendar({ ...NSE_2026, FO: NSE_2026.CM.slice(1) }, 2026))).toEqual(['/FO']);
    expect(parseExchangeCalendar({ ...NSE_2026, FO: [...NSE_2026.CM].reverse() }, 2026).holidays).toHaveLength(2);
  });

  it('refuses a special session without times, or closing before it opens', () => {
    const session = (opens: unknown, closes: unknown) => ({ ...NSE_2026, specialSessions: [{ tradingDate: '08-Nov-2026', opens, closes, description: 'Muhurat trading' }] });
    expect(problems(() => parseExchangeCalendar(session(undefined, undefined), 2026))).toEqual(['/specialSessions/0']);
    expect(problems(() => parseExchangeCalendar(session('19:00', '18:00'), 2026))).toEqual(['/specialSessions/0']);
    expect(problems(() => parseExchangeCalendar(session('6 pm', '19:00'), 2026))).toEqual(['/specialSessions/0']);
  });

  it('gives the same canonical text (and so digest) whatever the order of the file', () => {
    const reordered = { CM: [...NSE_2026.CM].reverse() };
    expect(canonicalCalendar(parseExchangeCalendar(reordered, 2026))).toBe(canonicalCalendar(parseExchangeCalendar(NSE_2026, 2026)));
  });
});
