/**
 * Single values on Breeze's wire: rupee strings, its date formats and its enum words. Requests use
 * lowercase words and ISO dates; responses use Title-case words, `DD-Mon-YYYY` dates in IST, and
 * numbers that are sometimes strings (docs/breeze-api.md#envelope-and-values).
 *
 * @module
 */
import { IST_OFFSET_MINUTES } from '../../domain/market-calendar.ts';
import type { Paise } from '../../domain/money.ts';
import type { OptionRight, Product, Side } from '../../domain/trade.ts';

/** A number Breeze may send as a number, a string ("420.00", "1,234.5"), null or "". */
export type Loose = string | number | null | undefined;

/**
 * Rupees as Breeze sends them, to integer paise; undefined when absent or not a number.
 *
 * @example
 * toPaise('2450.50') // 245050
 * toPaise(0.05)      // 5
 */
export function toPaise(value: Loose): Paise | undefined {
  const n = toNumber(value);
  return n === undefined ? undefined : Math.round(n * 100);
}

/** A count (quantity) Breeze may send as a string. */
export function toCount(value: Loose): number {
  const n = toNumber(value);
  return n === undefined ? 0 : Math.trunc(n);
}

function toNumber(value: Loose): number | undefined {
  if (value === null || value === undefined) return undefined;
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  const text = value.replace(/,/g, '').trim();
  if (text === '' || !/^[+-]?(\d+\.?\d*|\.\d+)$/.test(text)) return undefined;
  return Number(text);
}

/**
 * Paise as the rupee string Breeze expects, exactly (no float formatting).
 *
 * @example
 * toRupeeString(245050) // '2450.50'
 */
export function toRupeeString(paise: Paise): string {
  const sign = paise < 0 ? '-' : '';
  const abs = Math.abs(Math.round(paise));
  return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/**
 * A date (YYYY-MM-DD) as Breeze's request date. The README samples send date-only values at
 * T06:00:00.000Z, i.e. within the same IST day; we do the same.
 */
export function toBreezeDate(day: string): string {
  return `${day}T06:00:00.000Z`;
}

/** YYYY-MM-DD as `DD-Mon-YYYY` (expiry in responses, and in the emulator's answers). */
export function toBreezeDay(day: string): string {
  const [y, m, d] = day.split('-');
  return `${d}-${MONTHS[Number(m) - 1]}-${y}`;
}

/**
 * `27-Feb-2025`, `27-FEB-25`, or an ISO date, as YYYY-MM-DD; undefined when unparseable.
 *
 * @example
 * fromBreezeDay('27-Feb-2025') // '2025-02-27'
 */
export function fromBreezeDay(value: string | null | undefined): string | undefined {
  if (!value) return undefined;
  const iso = /^(\d{4}-\d{2}-\d{2})/.exec(value);
  if (iso) return iso[1];
  const m = /^(\d{1,2})-([A-Za-z]{3})-(\d{4}|\d{2})(?!\d)/.exec(value.trim());
  if (!m) return undefined;
  const month = MONTHS.findIndex((x) => x.toLowerCase() === m[2]!.toLowerCase());
  if (month < 0) return undefined;
  const year = m[3]!.length === 2 ? `20${m[3]}` : m[3]!;
  return `${year}-${String(month + 1).padStart(2, '0')}-${m[1]!.padStart(2, '0')}`;
}

/**
 * An IST wall-clock time as Breeze prints it (`05-Feb-2025 09:26` or `05-Feb-2025 09:26:02`) to an
 * ISO instant in UTC; undefined when unparseable.
 */
export function fromBreezeDateTime(value: string | null | undefined): string | undefined {
  if (!value) return undefined;
  const day = fromBreezeDay(value);
  const time = /\s(\d{2}):(\d{2})(?::(\d{2}))?/.exec(value);
  if (!day || !time) return undefined;
  const wall = Date.parse(`${day}T${time[1]}:${time[2]}:${time[3] ?? '00'}.000Z`);
  return new Date(wall - IST_OFFSET_MINUTES * 60_000).toISOString();
}

/** An instant as Breeze prints it, in IST (the emulator's answers). */
export function toBreezeDateTime(at: Date): string {
  const ist = new Date(at.getTime() + IST_OFFSET_MINUTES * 60_000).toISOString();
  return `${toBreezeDay(ist.slice(0, 10))} ${ist.slice(11, 19)}`;
}

export const PRODUCT_TO_BREEZE: Record<Product, string | undefined> = {
  CASH: 'cash',
  FUTURES: 'futures',
  OPTIONS: 'options',
  // Margin and Option Plus cannot be placed through the API since the 2025 rules (docs/breeze-api.md#regulatory-restrictions).
  MARGIN: undefined,
};

/** `Cash`, `Futures`/`Future`, `Options`… to our product; undefined for products we do not trade. */
export function productFromBreeze(value: string | null | undefined): Product | undefined {
  const v = (value ?? '').toLowerCase();
  if (v === 'cash' || v === 'btst' || v === 'mtf') return 'CASH';
  if (v.startsWith('future')) return 'FUTURES';
  if (v.startsWith('option')) return 'OPTIONS';
  if (v === 'margin') return 'MARGIN';
  return undefined;
}

export function sideToBreeze(side: Side): 'buy' | 'sell' {
  return side === 'BUY' ? 'buy' : 'sell';
}

/** `Buy`, `buy`, `B` → BUY; `Sell`, `S` → SELL; `NA` or anything else → undefined. */
export function sideFromBreeze(value: string | null | undefined): Side | undefined {
  const v = (value ?? '').toLowerCase();
  if (v === 'buy' || v === 'b') return 'BUY';
  if (v === 'sell' || v === 's') return 'SELL';
  return undefined;
}

export function rightToBreeze(right: OptionRight | undefined): 'call' | 'put' | 'others' {
  return right === 'CALL' ? 'call' : right === 'PUT' ? 'put' : 'others';
}

export function rightFromBreeze(value: string | null | undefined): OptionRight | undefined {
  const v = (value ?? '').toLowerCase();
  return v === 'call' ? 'CALL' : v === 'put' ? 'PUT' : undefined;
}
