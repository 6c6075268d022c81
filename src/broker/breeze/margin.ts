/**
 * Breeze's margin calculator (`POST margincalculator`, docs/breeze-api.md#funds-and-margin): the
 * request fields as the official Python SDK 1.0.69 README sends them, and the answer read as the
 * SPAN plus non-SPAN margin required, in paise.
 *
 * @module
 */
import type { MarginLeg } from '../../domain/margin.ts';
import type { Paise } from '../../domain/money.ts';
import type { Exchange } from '../../domain/trade.ts';
import { BrokerUnavailableError } from '../errors.ts';
import { rightToBreeze, sideToBreeze, toBreezeDay, toPaise, toRupeeString } from './values.ts';

/** One `list_of_positions` entry: strings, as the SDK sends them; no cover order (`N`/`0`). */
export function marginPosition(leg: MarginLeg, stockCode: string): Record<string, string> {
  const options = leg.instrument.product === 'OPTIONS';
  const rupees = (p: Paise) => toRupeeString(p).replace(/\.00$/, '');
  return {
    strike_price: options ? rupees(leg.instrument.strikePaise ?? 0) : '0',
    quantity: String(leg.quantity),
    right: options ? rightToBreeze(leg.instrument.right) : 'others',
    product: options ? 'options' : 'futures',
    action: sideToBreeze(leg.side),
    price: rupees(leg.pricePaise),
    expiry_date: leg.instrument.expiry ? toBreezeDay(leg.instrument.expiry) : '',
    stock_code: stockCode,
    cover_order_flow: 'N',
    fresh_order_type: 'N',
    cover_limit_rate: '0',
    cover_sltp_price: '0',
    fresh_limit_rate: '0',
    open_quantity: '0',
  };
}

export function marginBody(legs: readonly MarginLeg[], exchange: Exchange, stockCodes: readonly string[]): Record<string, unknown> {
  return { list_of_positions: legs.map((leg, i) => marginPosition(leg, stockCodes[i] ?? leg.instrument.symbol)), exchange_code: exchange };
}

/** The margin required: `span_margin_required` + `non_span_margin_required` (rupee strings in the README sample). */
export function marginFrom(payload: unknown): Paise {
  const row = (Array.isArray(payload) ? payload[0] : payload) as Record<string, unknown> | undefined;
  const span = toPaise(row?.span_margin_required as string | undefined);
  if (span === undefined) throw new BrokerUnavailableError('POST margincalculator: no span_margin_required in the answer');
  return span + (toPaise(row?.non_span_margin_required as string | undefined) ?? 0);
}
