/**
 * Reads a year's exchange calendar from the file NSE publishes: the JSON behind its holidays page
 * (https://www.nseindia.com/api/holiday-master?type=trading), keyed by segment, each entry
 * `{ "Sr_no", "tradingDate": "26-Jan-2026", "weekDay": "Monday", "description" }`
 * (docs/indian-market.md#the-calendar-as-data). The equity segment `CM` is the list of the cash
 * market, which F&O follows; special sessions (Muhurat trading) come by a separate circular and are
 * added by the operator under `specialSessions` with the circular's times.
 *
 * Nothing is guessed: a file with a date outside its year, a weekday that does not match its date,
 * a duplicate, or an F&O list that differs from the cash list is refused as a whole.
 *
 * @example
 * parseExchangeCalendar({ CM: [{ tradingDate: '26-Jan-2026', weekDay: 'Monday', description: 'Republic Day' }] }, 2026)
 * // → { year: 2026, holidays: [{ day: '2026-01-26', description: 'Republic Day' }], specialSessions: [] }
 *
 * @module
 */
import { type FieldProblem, ValidationError } from '../errors.ts';

export interface CalendarHoliday {
  /** IST date, YYYY-MM-DD. */
  day: string;
  description: string;
}

export interface SpecialSession {
  day: string;
  /** IST wall-clock times, HH:MM, from the exchange's circular. */
  opens: string;
  closes: string;
  description: string;
}

export interface ExchangeCalendar {
  year: number;
  holidays: CalendarHoliday[];
  specialSessions: SpecialSession[];
}

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const WEEKDAYS = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'];
const HHMM = /^([01]\d|2[0-3]):[0-5]\d$/;
/** More than any year has had; a longer list is a wrong file. */
const MAX_ENTRIES = 60;

/** `26-Jan-2026` (NSE's form) or `2026-01-26` to YYYY-MM-DD; undefined when it is no real date. */
export function parseExchangeDate(text: string): string | undefined {
  const nse = /^(\d{1,2})-([A-Za-z]{3})-(\d{4})$/.exec(text.trim());
  const iso = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text.trim());
  let y: number, m: number, d: number;
  if (nse) [y, m, d] = [Number(nse[3]), MONTHS.indexOf(nse[2]!.toLowerCase()) + 1, Number(nse[1])];
  else if (iso) [y, m, d] = [Number(iso[1]), Number(iso[2]), Number(iso[3])];
  else return undefined;
  const date = new Date(Date.UTC(y, m - 1, d));
  if (m < 1 || date.getUTCFullYear() !== y || date.getUTCMonth() !== m - 1 || date.getUTCDate() !== d) return undefined;
  return date.toISOString().slice(0, 10);
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Parse and check a calendar file for `year`; throws a ValidationError naming every problem. */
export function parseExchangeCalendar(document: unknown, year: number): ExchangeCalendar {
  const problems: FieldProblem[] = [];
  const problem = (pointer: string, detail: string) => problems.push({ location: 'body', pointer, detail });
  if (!isObject(document)) throw new ValidationError('The calendar file must be a JSON object keyed by segment (NSE holiday-master format)', [{ location: 'body', pointer: '', detail: 'expected an object' }]);

  const dated = (entry: unknown, pointer: string): { day: string; description: string } | undefined => {
    if (!isObject(entry)) return void problem(pointer, 'expected an object');
    const day = typeof entry.tradingDate === 'string' ? parseExchangeDate(entry.tradingDate) : undefined;
    if (!day) return void problem(`${pointer}/tradingDate`, 'expected a date such as 26-Jan-2026');
    if (!day.startsWith(`${year}-`)) return void problem(`${pointer}/tradingDate`, `${day} is not in ${year}`);
    if (typeof entry.weekDay === 'string' && entry.weekDay.trim().toLowerCase() !== WEEKDAYS[new Date(`${day}T00:00:00Z`).getUTCDay()]) {
      return void problem(`${pointer}/weekDay`, `${day} is a ${WEEKDAYS[new Date(`${day}T00:00:00Z`).getUTCDay()]}, not a ${entry.weekDay}`);
    }
    const description = typeof entry.description === 'string' ? entry.description.trim() : '';
    if (!description || description.length > 200) return void problem(`${pointer}/description`, 'expected a description of 1 to 200 characters');
    return { day, description };
  };

  const list = (key: string): unknown[] | undefined => {
    const value = document[key];
    if (value === undefined) return undefined;
    if (!Array.isArray(value)) return void problem(`/${key}`, 'expected an array');
    if (value.length > MAX_ENTRIES) return void problem(`/${key}`, `more than ${MAX_ENTRIES} entries`);
    return value;
  };

  const cm = list('CM');
  if (cm === undefined || cm.length === 0) problem('/CM', 'the equity segment CM must list the year\'s holidays');
  const holidays: CalendarHoliday[] = [];
  const seen = new Set<string>();
  (cm ?? []).forEach((entry, i) => {
    const h = dated(entry, `/CM/${i}`);
    if (!h) return;
    if (seen.has(h.day)) return void problem(`/CM/${i}/tradingDate`, `${h.day} is listed twice`);
    seen.add(h.day);
    holidays.push(h);
  });

  const fo = list('FO');
  if (fo && holidays.length) {
    const foDays = new Set(fo.map((e) => (isObject(e) && typeof e.tradingDate === 'string' ? parseExchangeDate(e.tradingDate) : undefined)));
    if (foDays.size !== seen.size || [...seen].some((d) => !foDays.has(d))) {
      problem('/FO', 'the F&O list differs from the cash list (CM); this system keeps one list per exchange, which F&O follows');
    }
  }

  const specialSessions: SpecialSession[] = [];
  (list('specialSessions') ?? []).forEach((entry, i) => {
    const pointer = `/specialSessions/${i}`;
    const s = dated(entry, pointer);
    if (!s || !isObject(entry)) return;
    const { opens, closes } = entry;
    if (typeof opens !== 'string' || !HHMM.test(opens) || typeof closes !== 'string' || !HHMM.test(closes) || closes <= opens) {
      return void problem(pointer, 'expected opens and closes as HH:MM (IST) from the circular, opens before closes');
    }
    if (specialSessions.some((o) => o.day === s.day)) return void problem(`${pointer}/tradingDate`, `${s.day} has two special sessions`);
    specialSessions.push({ ...s, opens, closes });
  });

  if (problems.length) throw new ValidationError(`The calendar file for ${year} was refused: ${problems.length} problem(s); nothing was loaded`, problems);
  const byDay = <T extends { day: string }>(a: T, b: T) => a.day.localeCompare(b.day);
  return { year, holidays: holidays.sort(byDay), specialSessions: specialSessions.sort(byDay) };
}

/** The calendar in one canonical text (sorted, fixed key order): what its digest is taken over. */
export function canonicalCalendar(c: ExchangeCalendar): string {
  return JSON.stringify({
    year: c.year,
    holidays: c.holidays.map((h) => [h.day, h.description]),
    specialSessions: c.specialSessions.map((s) => [s.day, s.opens, s.closes, s.description]),
  });
}
