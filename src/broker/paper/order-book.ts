/**
 * The paper exchange's order book inside a transaction: DAY orders expiring with their session,
 * resting orders filling when the price reaches them, and an operator's pinned price. The
 * exchange (the broker the worker trades through) and the operator's desk (POST /paper/quotes)
 * share it, so a price set by hand fills orders exactly as a price reached by the walk does.
 *
 * @module
 */
import { type ExpiringOrders, expirePaperOrders, lockRestingPaperOrders, markPaperOrderFilled, markPaperOrderTriggered, paperOrder } from '../../db/paper-orders.ts';
import { insertPaperFill } from '../../db/paper-fills.ts';
import { notifyPaperQuote, pinPaperQuote } from '../../db/paper-quotes.ts';
import type { Queryable, Sql, TxSql } from '../../db/pool.ts';
import { type MarketHoursMode, NORMAL_SESSION } from '../../domain/market-calendar.ts';
import type { Paise } from '../../domain/money.ts';
import { type Instrument, instrumentKey } from '../../domain/trade.ts';
import type { Quote } from '../types.ts';
import { fillPrice, touched } from './matching.ts';
import { roundToTick } from './prices.ts';

/** How the book trades: the market hours its DAY orders live in, the slippage of market fills, the clock. */
export interface BookRules {
  marketHours: MarketHoursMode;
  slippageBps: number;
  now: () => Date;
}

/** Cancel, as expired, the resting orders (among `which`) whose day's session has closed. */
export async function expireDayOrders(sql: Queryable, rules: BookRules, which: ExpiringOrders): Promise<void> {
  if (rules.marketHours !== 'nse' || ('instrumentKeys' in which && !which.instrumentKeys.length)) return;
  await expirePaperOrders(sql, which, NORMAL_SESSION.closes, `expired: a DAY order ends with its session (${NORMAL_SESSION.closes} IST)`, rules.now());
}

/** Fill the order if it is resting and the last price reaches it (waking a stop-limit whose trigger it touches). */
export async function matchOne(tx: TxSql, rules: BookRules, id: string, lastPricePaise: Paise): Promise<void> {
  const o = await paperOrder(tx, id);
  if (!o || o.status !== 'OPEN') return;
  if (o.order_type === 'STOP_LIMIT' && !o.triggered_at) {
    if (o.trigger_price_paise === null || !touched(o.side, o.trigger_price_paise, lastPricePaise)) return;
    await markPaperOrderTriggered(tx, id, rules.now());
  }
  const level = o.order_type === 'STOP' ? o.trigger_price_paise : o.limit_price_paise;
  const asType = o.order_type === 'STOP_LIMIT' ? 'LIMIT' : o.order_type;
  const price = fillPrice(o.side, asType, level ?? undefined, lastPricePaise, rules.slippageBps);
  if (price === undefined) return;
  await insertPaperFill(tx, id, o.quantity, price, rules.now());
  await markPaperOrderFilled(tx, id, price, rules.now());
}

/** Fill, oldest first, the instrument's resting orders that the last price now reaches. */
async function matchResting(tx: TxSql, rules: BookRules, key: string, lastPricePaise: Paise): Promise<void> {
  for (const id of await lockRestingPaperOrders(tx, key)) await matchOne(tx, rules, id, lastPricePaise);
}

/**
 * A new price, in the transaction that set it: fill the resting orders it reaches, then announce
 * it, stamped once that work is done (the notice leaves at the commit right after). A tick's time
 * is when the world can see the price, as an exchange's feed stamps a trade, not when its matching
 * began (tick_to_exit_decision_seconds measures from it).
 */
export async function matchAndAnnounce(tx: TxSql, rules: BookRules, instrument: Instrument, price: Paise): Promise<Quote> {
  await matchResting(tx, rules, instrumentKey(instrument), price);
  const quote = { lastPricePaise: price, at: rules.now().toISOString() };
  await notifyPaperQuote(tx, { instrument, ...quote });
  return quote;
}

/** Set the last price and pin it; resting orders that now cross are filled, then the price is announced. */
export async function pinQuote(sql: Sql, rules: BookRules, instrument: Instrument, pricePaise: Paise): Promise<Quote> {
  const key = instrumentKey(instrument);
  const price = roundToTick(pricePaise);
  return sql.begin(async (tx) => {
    await pinPaperQuote(tx, key, instrument, price, rules.now());
    await expireDayOrders(tx, rules, { instrumentKey: key });
    return matchAndAnnounce(tx, rules, instrument, price);
  });
}
