/**
 * "Market" orders as protective limit orders. Breeze refuses `order_type: market` since the SEBI
 * retail-algo rules (docs/breeze-api.md#market-orders), and the official Python SDK (v1.0.68,
 * `get_aggressive_limit_price`) sends a limit order priced off the last traded price instead. We do
 * the same, with the SDK's numbers:
 *
 * 1. offset = LTP × 3 % (cash), 1.5 % (futures), 10 % (options); at least 5 points for options
 *    and 0.05 for the others;
 * 2. buy at LTP + offset, sell at LTP − offset;
 * 3. rounded to the tick, toward the LTP (never past the intended protection);
 * 4. clipped to the day's band from the quote (`lower_circuit`…`upper_circuit`), the exchange DPR.
 *
 * All in integer paise.
 *
 * @module
 */
import type { Paise } from '../../domain/money.ts';
import type { Exchange, Product, Side } from '../../domain/trade.ts';

export interface ProtectionInput {
  side: Side;
  exchange: Exchange;
  product: Product;
  /** ICICI stock code: index derivatives tick differently. */
  stockCode: string;
  lastPricePaise: Paise;
  upperCircuitPaise?: Paise | undefined;
  lowerCircuitPaise?: Paise | undefined;
}

/** Offsets in basis points of the LTP, and their floors in paise (SDK README "Aggressive Limit Order"). */
export const PROTECTION = {
  CASH: { bp: 300, floorPaise: 5 },
  MARGIN: { bp: 300, floorPaise: 5 },
  FUTURES: { bp: 150, floorPaise: 5 },
  OPTIONS: { bp: 1000, floorPaise: 500 },
} as const satisfies Record<Product, { bp: number; floorPaise: Paise }>;

const NSE_INDICES = new Set(['NIFTY', 'CNXBAN', 'NIFSEL', 'NIFFIN']);
const BSE_INDICES = new Set(['BSESEN', 'BANKEX']);

/**
 * The tick size in paise, from the SDK's table (docs/breeze-api.md#market-orders).
 *
 * @example
 * tickPaise({ exchange: 'NSE', product: 'CASH', stockCode: 'RELIND', lastPricePaise: 245000 }) // 10
 */
export function tickPaise(input: Pick<ProtectionInput, 'exchange' | 'product' | 'stockCode' | 'lastPricePaise'>): Paise {
  const ltp = input.lastPricePaise;
  const code = input.stockCode.toUpperCase();
  if (input.exchange === 'BSE' || input.exchange === 'BFO') {
    if (BSE_INDICES.has(code)) return 5;
    return ltp <= 100_00 ? 1 : 5;
  }
  if (NSE_INDICES.has(code)) {
    if (input.product === 'OPTIONS') return 5;
    return ltp < 15_000_00 ? 5 : ltp < 30_000_00 ? 10 : 20;
  }
  if (input.product === 'OPTIONS') return 5;
  if (ltp < 250_00) return 1;
  if (ltp < 1_000_00) return 5;
  if (ltp < 5_000_00) return 10;
  if (ltp < 10_000_00) return 50;
  if (ltp < 20_000_00) return 100;
  return 500;
}

/**
 * The limit price that stands in for a market order.
 *
 * @example
 * protectiveLimitPrice({ side: 'BUY', exchange: 'NSE', product: 'CASH', stockCode: 'RELIND', lastPricePaise: 245000 })
 * // 252350: 2450 + 3 % = 2523.50, on the 0.10 tick
 */
export function protectiveLimitPrice(input: ProtectionInput): Paise {
  const { bp, floorPaise } = PROTECTION[input.product];
  const ltp = input.lastPricePaise;
  const offset = Math.max(Math.floor((ltp * bp) / 10_000), floorPaise);
  const tick = tickPaise(input);
  let price = input.side === 'BUY' ? Math.floor((ltp + offset) / tick) * tick : Math.ceil((ltp - offset) / tick) * tick;
  if (input.upperCircuitPaise && input.upperCircuitPaise > 0) price = Math.min(price, input.upperCircuitPaise);
  if (input.lowerCircuitPaise && input.lowerCircuitPaise > 0) price = Math.max(price, input.lowerCircuitPaise);
  // a sell of a cheap option can go below zero before the band clip; the least valid price is a tick
  return Math.max(price, tick);
}
