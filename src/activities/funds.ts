/**
 * The account's funds and an order's margin for the reservation's INSUFFICIENT_FUNDS rule
 * (src/domain/risk/funds.ts), in two steps around its transaction:
 *
 * 1. before it (broker calls stay outside the transaction): with a live broker, its funds and,
 *    for F&O, its margin calculator (docs/breeze-api.md#funds-and-margin). Funds are read at most
 *    once every BROKER_FUNDS_REFRESH_S per account across all workers (the last read is shared in
 *    the `broker_funds` table, and one read at a time per process); the margin calculator is asked
 *    once per F&O entry. A failed funds read falls back on the last one if it is younger than
 *    STALE_FUNDS_FACTOR refresh periods; a failed margin read refuses the order (fail closed).
 * 2. inside it, under the account's lock: the funds as the rule sees them. Paper: the ledger
 *    (capital + realized P&L − charges, less the margin held by open positions). Live: the broker's
 *    allocation to the order's segment less what it blocks. Either way the margin reserved by
 *    orders in flight is taken off, so a burst of concurrent orders cannot spend the same rupee twice;
 *    with a live broker, orders that filled after its funds were read count as well (the read may
 *    not show them yet: counted twice rather than not at all).
 *
 * @module
 */
import { brokerFundsOf, type BrokerFundsRow, ledgerTotals, reservedMargin, saveBrokerFunds } from '../db/funds-ledger.ts';
import type { Queryable } from '../db/pool.ts';
import { fundsBrokerOf } from '../broker/funds.ts';
import { orderMargin, type MarginLeg } from '../domain/margin.ts';
import type { Paise } from '../domain/money.ts';
import type { FundsView } from '../domain/risk/funds.ts';
import type { Instrument, TradeRequest } from '../domain/trade.ts';
import { protectiveLimitPrice } from '../broker/breeze/market-orders.ts';
import type { Quote } from '../broker/types.ts';
import type { ActivityDeps } from './context.ts';

/** A failed funds read may lean on the last good one while it is younger than this many refresh periods. */
export const STALE_FUNDS_FACTOR = 10;

/** What the live broker said before the transaction. */
export interface LiveFunds {
  funds: BrokerFundsRow | undefined;
  /** F&O: the broker's margin for the order; undefined when it could not be read (equity: our model, notional for CASH). */
  brokerMarginPaise: Paise | undefined;
}

/** An F&O exchange (Breeze's F&O segment). */
export const fno = (i: Pick<Instrument, 'exchange'>) => i.exchange === 'NFO' || i.exchange === 'BFO';
const reading = new Map<string, Promise<BrokerFundsRow | undefined>>();

/** The live broker's funds, from the shared last read while fresh, else read now (once per process at a time). */
async function liveFunds(deps: ActivityDeps, accountId: string): Promise<BrokerFundsRow | undefined> {
  const broker = fundsBrokerOf(deps.broker);
  if (!broker) return undefined;
  const refreshMs = deps.config.broker.BROKER_FUNDS_REFRESH_S * 1000;
  const now = (deps.now ?? (() => new Date()))().getTime();
  const last = await brokerFundsOf(deps.sql, accountId);
  if (last && now - last.fetchedAt.getTime() < refreshMs) return last;
  let pending = reading.get(accountId);
  if (!pending) {
    pending = broker
      .readFunds()
      .then(async (f) => {
        await saveBrokerFunds(deps.sql, accountId, f);
        return f;
      })
      .catch((err: unknown) => {
        deps.log.warn({ err, accountId }, 'broker funds unavailable for the funds check');
        return last && now - last.fetchedAt.getTime() < STALE_FUNDS_FACTOR * refreshMs ? last : undefined;
      })
      .finally(() => reading.delete(accountId));
    reading.set(accountId, pending);
  }
  return pending;
}

/** Step 1: the live broker's reads, outside the transaction; undefined with the paper exchange. */
export async function readLiveFunds(deps: ActivityDeps, accountId: string, leg: (MarginLeg & { instrument: Instrument }) | undefined): Promise<LiveFunds | undefined> {
  const broker = fundsBrokerOf(deps.broker);
  if (!broker) return undefined;
  const [funds, brokerMarginPaise] = await Promise.all([
    liveFunds(deps, accountId),
    leg && fno(leg.instrument)
      ? broker.marginFor([leg], leg.instrument.exchange).catch((err: unknown) => {
          deps.log.warn({ err, accountId }, 'broker margin calculator unavailable for the funds check');
          return undefined;
        })
      : Promise.resolve(undefined),
  ]);
  return { funds, brokerMarginPaise };
}

/** The stock code the broker knows a symbol by (the protective limit's tick table), or the symbol. */
export async function brokerStockCode(deps: ActivityDeps, symbol: string): Promise<string> {
  const broker = fundsBrokerOf(deps.broker);
  return broker ? broker.stockCodeOf(symbol).catch(() => symbol) : symbol;
}

/**
 * Step 2, inside the transaction: the funds the rule checks an order against (undefined when a
 * live read failed). Live: only the segment of `instrument` (equity or F&O) counts. A basket asks
 * it once per segment and checks its whole margin against it (basket-funds.ts).
 */
export async function fundsView(tx: Queryable, account: { id: string; capitalPaise: Paise }, instrument: Pick<Instrument, 'exchange'>, live: LiveFunds | undefined): Promise<FundsView | undefined> {
  if (!live) {
    const [totals, reserved] = await Promise.all([ledgerTotals(tx, account.id), reservedMargin(tx, account.id)]);
    return { source: 'paper-ledger', balancePaise: account.capitalPaise + totals.cashPaise, usedMarginPaise: totals.marginPaise, reservedMarginPaise: reserved };
  }
  const f = live.funds;
  if (!f) return undefined;
  const reserved = await reservedMargin(tx, account.id, f.fetchedAt, fno(instrument) ? ['NFO', 'BFO'] : ['NSE', 'BSE']);
  return {
    source: 'broker',
    balancePaise: fno(instrument) ? f.fnoAllocatedPaise : f.equityAllocatedPaise,
    usedMarginPaise: fno(instrument) ? f.fnoBlockedPaise : f.equityBlockedPaise,
    reservedMarginPaise: reserved,
    asOf: f.fetchedAt,
  };
}

/** The margin one order needs: the broker's answer for live F&O, else the model (full value for cash). */
export function requiredMargin(leg: MarginLeg & { instrument: Instrument }, live: LiveFunds | undefined): Paise | undefined {
  return live && fno(leg.instrument) ? live.brokerMarginPaise : orderMargin(leg);
}


/** How an entry is priced for the reservation: the price it is valued at, the limit it goes out with, and its margin leg. */
export interface EntryPricing {
  /** The order's value per unit: a LIMIT's limit; a MARKET buy's protective limit, a MARKET sell's last price. */
  reservePaise: Paise;
  /** The worst price it may fill at: the limit, or a MARKET order's protective limit. */
  capPaise: Paise;
  leg: MarginLeg & { instrument: Instrument };
}

/**
 * A MARKET order goes out as a protective limit (src/broker/breeze/market-orders.ts, and the paper
 * exchange caps its fill the same way): a buy is reserved at that limit, not the last price, so its
 * fill can never cost more than was reserved; a sell's limit is a floor, and it is valued at the last price.
 */
export function priceEntry(request: TradeRequest, lastPricePaise: Paise | undefined, stockCode: string, quote: Pick<Quote, 'upperCircuitPaise' | 'lowerCircuitPaise'> | undefined): EntryPricing | undefined {
  let cap = request.limitPricePaise;
  let reserve = cap;
  if (request.orderType === 'MARKET') {
    if (lastPricePaise === undefined) return undefined;
    const i = request.instrument;
    cap = protectiveLimitPrice({ side: request.side, exchange: i.exchange, product: i.product, stockCode, lastPricePaise, upperCircuitPaise: quote?.upperCircuitPaise, lowerCircuitPaise: quote?.lowerCircuitPaise });
    reserve = request.side === 'BUY' ? cap : lastPricePaise;
  }
  if (!cap || !reserve) return undefined;
  return { reservePaise: reserve, capPaise: cap, leg: { instrument: request.instrument, side: request.side, quantity: request.quantity, pricePaise: reserve } };
}
