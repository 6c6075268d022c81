/**
 * The shapes of Breeze's `Success` payloads we read
 * (docs/breeze-api.md#orders and #account-reads), checked with zod.
 * Fields are loose on purpose: numbers arrive as strings or numbers, and many fields are null;
 * unknown fields pass through untouched.
 *
 * @module
 */
import { z } from 'zod';

const loose = z.union([z.string(), z.number()]).nullish();
const text = z.string().nullish();

export const orderRow = z.looseObject({
  order_id: z.union([z.string(), z.number()]).transform(String),
  exchange_order_id: loose,
  exchange_code: text,
  stock_code: text,
  product_type: text,
  action: text,
  order_type: text,
  stoploss: loose,
  quantity: loose,
  price: loose,
  validity: text,
  expiry_date: text,
  right: text,
  strike_price: loose,
  average_price: loose,
  cancelled_quantity: loose,
  pending_quantity: loose,
  status: text,
  user_remark: text,
  order_datetime: text,
});
export type OrderRow = z.infer<typeof orderRow>;

export const tradeDetailRow = z.looseObject({
  exchange_trade_id: loose,
  trade_id: loose,
  executed_quantity: loose,
  execution_price: loose,
  action: text,
  exchange_trade_time: text,
});
export type TradeDetailRow = z.infer<typeof tradeDetailRow>;

export const positionRow = z.looseObject({
  segment: text,
  product_type: text,
  exchange_code: text,
  stock_code: text,
  expiry_date: text,
  strike_price: loose,
  right: text,
  action: text,
  quantity: loose,
  average_price: loose,
  ltp: loose,
});
export type PositionRow = z.infer<typeof positionRow>;

export const quoteRow = z.looseObject({
  exchange_code: text,
  stock_code: text,
  ltp: loose,
  ltt: text,
  best_bid_price: loose,
  best_offer_price: loose,
  upper_circuit: loose,
  lower_circuit: loose,
  previous_close: loose,
});
export type QuoteRow = z.infer<typeof quoteRow>;

export const fundsRow = z.looseObject({
  bank_account: loose,
  total_bank_balance: loose,
  allocated_equity: loose,
  allocated_fno: loose,
  block_by_trade_equity: loose,
  block_by_trade_fno: loose,
  block_by_trade_balance: loose,
  unallocated_balance: loose,
});
export type FundsRow = z.infer<typeof fundsRow>;

export const orderAck = z.looseObject({
  order_id: z.union([z.string(), z.number()]).nullish(),
  message: text,
});

export const customerDetailsRow = z.looseObject({
  session_token: z.string(),
  idirect_userid: text,
  idirect_user_name: text,
  exg_trade_date: z.record(z.string(), z.string()).nullish(),
  exg_status: z.record(z.string(), z.string()).nullish(),
  segments_allowed: z.record(z.string(), z.string()).nullish(),
});
export type CustomerDetailsRow = z.infer<typeof customerDetailsRow>;

/** A Success payload that is an array of rows (Breeze answers "no rows" with null or an empty array). */
export function rowsOf<T extends z.ZodType>(schema: T, payload: unknown): z.infer<T>[] {
  if (payload === null || payload === undefined || payload === '') return [];
  return z.array(schema).parse(Array.isArray(payload) ? payload : [payload]);
}
