/**
 * Breeze's streaming payloads, read positionally as the official SDK reads them
 * (docs/breeze-api.md#tick-payloads, docs/breeze-api.md#order-notifications), and the room names
 * quotes are joined by (docs/breeze-api.md#streaming-rooms).
 *
 * @module
 */
import type { Paise } from '../../domain/money.ts';
import type { Instrument } from '../../domain/trade.ts';

/** The X of a quote room by exchange: BSE 1, NSE and NFO 4, BFO 8 (docs/breeze-api.md#streaming-rooms). */
const ROOM_EXCHANGE: Readonly<Record<string, string>> = { BSE: '1', NSE: '4', NFO: '4', BFO: '8' };

/**
 * The level-1 quote room of an instrument, or undefined when it cannot be streamed (no known
 * token: a symbol or contract missing from the security master files).
 *
 * @example
 * quoteRoom({ symbol: 'RELIANCE', exchange: 'NSE', product: 'CASH' }, '2885') // '4.1!2885'
 */
export function quoteRoom(instrument: Instrument, token: string | undefined): string | undefined {
  const x = ROOM_EXCHANGE[instrument.exchange];
  if (!x || !token) return undefined;
  return `${x}.1!${token}`;
}

export interface StreamQuote {
  room: string;
  lastPricePaise: Paise;
  /** The last-trade time (ISO, UTC), or undefined when the tick carries none. */
  at: string | undefined;
}

/**
 * A level-1 `stock` tick: element 0 the room, 2 the last price in rupees, and the last-trade time
 * (epoch seconds) at 19 in a 21-element tick (cash, indices) or 21 in a 23-element one (F&O).
 * Depth ticks (`X.2!`) and anything malformed give undefined.
 *
 * @example
 * parseQuoteTick(['4.1!2885', 2450, 2455.5, …, 1738729953, 2440]) // { room: '4.1!2885', lastPricePaise: 245550, at: '2025-02-05T04:32:33.000Z' }
 */
export function parseQuoteTick(tick: unknown): StreamQuote | undefined {
  if (!Array.isArray(tick) || (tick.length !== 21 && tick.length !== 23)) return undefined;
  const [room, , last] = tick as unknown[];
  if (typeof room !== 'string' || !/^\d+\.1!/.test(room)) return undefined;
  const rupees = typeof last === 'string' ? Number(last) : last;
  if (typeof rupees !== 'number' || !Number.isFinite(rupees) || rupees <= 0) return undefined;
  const ltt: unknown = tick[tick.length === 21 ? 19 : 21];
  const at = typeof ltt === 'number' && Number.isFinite(ltt) && ltt > 0 ? new Date(ltt * 1000).toISOString() : undefined;
  return { room, lastPricePaise: Math.round(rupees * 100), at };
}

/**
 * The order reference of an `order` notification: index 23 of an equity message (`messageType`
 * 4 or 5), 26 of an F&O one (6 or 7). Strategy records (19 and 28 elements) give undefined.
 */
export function notifiedOrderId(message: unknown): string | undefined {
  if (!Array.isArray(message) || message.length === 19 || message.length === 28) return undefined;
  const type = String(message[11]);
  const at = type === '4' || type === '5' ? 23 : type === '6' || type === '7' ? 26 : undefined;
  const id: unknown = at === undefined ? undefined : message[at];
  return typeof id === 'string' && id.trim() ? id.trim() : undefined;
}
