/**
 * What the livestream sends on event `stock`: level-1 quotes as positional arrays of 21 elements
 * (cash and indices) or 23 (F&O, with open interest at 12 and 13), with the last-trade time as a
 * numeric Unix epoch, and market depth as `[room, epoch, levels]` with 4, 6 or 8 fields a level by
 * exchange (docs/breeze-api.md#tick-payloads). Prices and quantities are JSON numbers, `ttv` a
 * crore string (`"12.34C"`) except on BFO, `trend` `""`/`"+"`/`"-"`, and indices carry `null` bid
 * and offer, as the SDK README's samples show. The emulator trades nothing on the tape, so volumes
 * are zero; open, high and low are those of the prices it was given since it started.
 *
 * @module
 */
import { type EmuInstrument, type EmuQuote, instrumentKey } from './book.ts';
import type { MasterEntry } from './master.ts';

type Cell = number | string | null;

interface DayStats {
  openPaise: number;
  highPaise: number;
  lowPaise: number;
  lastPaise: number;
}

const DEPTH_LEVELS = 5;
const LEVEL_QUANTITY = 100;
const rupees = (paise: number) => paise / 100;

/** Open, high, low and the previous price per instrument: the tick's `open`, `high`, `low` and `trend`. */
export class TickBuilder {
  private readonly stats = new Map<string, DayStats>();

  /** The `stock` array of a new quote in room `room` (`X.1!<token>`). */
  quote(room: string, instrument: EmuInstrument, entry: MasterEntry, quote: EmuQuote): Cell[] {
    const key = `${instrument.exchange}|${instrumentKey(instrument)}`;
    const ltp = quote.ltpPaise;
    const before = this.stats.get(key);
    const stats = { openPaise: before?.openPaise ?? ltp, highPaise: Math.max(before?.highPaise ?? ltp, ltp), lowPaise: Math.min(before?.lowPaise ?? ltp, ltp), lastPaise: ltp };
    this.stats.set(key, stats);
    const close = quote.previousClosePaise ?? stats.openPaise;
    const change = close ? Math.round(((ltp - close) / close) * 10_000) / 100 : 0;
    const trend = !before || before.lastPaise === ltp ? '' : ltp > before.lastPaise ? '+' : '-';
    const book = entry.index ? [null, null, null, null] : [rupees(quote.bidPaise ?? ltp), LEVEL_QUANTITY, rupees(quote.offerPaise ?? ltp), LEVEL_QUANTITY];
    const head: Cell[] = [room, rupees(stats.openPaise), rupees(ltp), rupees(stats.highPaise), rupees(stats.lowPaise), change, ...book, 0, rupees(ltp)];
    const openInterest: Cell[] = instrument.product === 'futures' || instrument.product === 'options' ? [0, 0] : [];
    const ttv: Cell = instrument.exchange === 'BFO' ? 0 : '0.00C';
    const lower = quote.lowerCircuitPaise === undefined ? 0 : rupees(quote.lowerCircuitPaise);
    const upper = quote.upperCircuitPaise === undefined ? 0 : rupees(quote.upperCircuitPaise);
    return [...head, ...openInterest, 0, 0, 0, ttv, trend, lower, upper, Math.floor(quote.at.getTime() / 1000), rupees(close)];
  }
}

/** The `stock` array of market depth in room `room` (`X.2!<token>`): five levels around the quote. */
export function depthTick(room: string, entry: MasterEntry, quote: EmuQuote): (Cell | Cell[][])[] {
  const x = room.split('.')[0];
  const bid = quote.bidPaise ?? quote.ltpPaise;
  const offer = quote.offerPaise ?? quote.ltpPaise;
  const levels: Cell[][] = [];
  for (let n = 0; n < DEPTH_LEVELS; n++) {
    const b = rupees(Math.max(bid - n * entry.tickPaise, 0));
    const s = rupees(offer + n * entry.tickPaise);
    if (x === '1') levels.push([b, LEVEL_QUANTITY, s, LEVEL_QUANTITY]);
    else if (x === '8') levels.push([b, LEVEL_QUANTITY, 1, s, LEVEL_QUANTITY, 1]);
    else levels.push([b, LEVEL_QUANTITY, 1, '', s, LEVEL_QUANTITY, 1, '']);
  }
  return [room, Math.floor(quote.at.getTime() / 1000), levels];
}
