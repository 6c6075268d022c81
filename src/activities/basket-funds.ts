/**
 * A basket's whole margin against the account's funds (the INSUFFICIENT_FUNDS rule,
 * src/domain/risk/funds.ts), as funds.ts does for one order and in the same two steps:
 *
 * 1. before the reservation's transaction, with a live broker: its funds, and Breeze's margin
 *    calculator for the basket's F&O legs together (one call per exchange, so the broker nets the
 *    hedges as SPAN does); a failed margin read refuses the basket (fail closed);
 * 2. inside it, under the account's lock: the margin the basket blocks (src/domain/margin.ts
 *    basketMargin with the paper exchange, the broker's answer for live F&O) checked against the
 *    funds. Paper: one ledger for all legs. Live: each segment (equity, F&O) against its own
 *    allocation.
 *
 * The legs' trades then claim the basket's reservation (basket-claim.ts) and check no funds of
 * their own: the basket's margin is already reserved over them.
 *
 * @module
 */
import { fundsBrokerOf } from '../broker/funds.ts';
import type { Queryable } from '../db/pool.ts';
import { basketMargin, type BasketMargin, type MarginLeg } from '../domain/margin.ts';
import type { Paise } from '../domain/money.ts';
import { checkFunds } from '../domain/risk/funds.ts';
import type { Violation } from '../domain/risk/rules.ts';
import type { Exchange, Instrument } from '../domain/trade.ts';
import type { ActivityDeps } from './context.ts';
import { fno, fundsView, type LiveFunds, readLiveFunds } from './funds.ts';

export type BasketMarginLeg = MarginLeg & { instrument: Instrument };

/** What the live broker said before the transaction: its funds, and its margin for the F&O legs (undefined when unread). */
export interface LiveBasketFunds {
  live: LiveFunds;
  fnoMarginPaise: Paise | undefined;
}

/** Step 1: the live broker's reads, outside the transaction; undefined with the paper exchange. */
export async function readLiveBasketFunds(deps: ActivityDeps, accountId: string, legs: readonly BasketMarginLeg[]): Promise<LiveBasketFunds | undefined> {
  const broker = fundsBrokerOf(deps.broker);
  const live = await readLiveFunds(deps, accountId, undefined);
  if (!broker || !live) return undefined;
  const byExchange = new Map<Exchange, BasketMarginLeg[]>();
  for (const leg of legs.filter((l) => fno(l.instrument))) byExchange.set(leg.instrument.exchange, [...(byExchange.get(leg.instrument.exchange) ?? []), leg]);
  let fnoMarginPaise: Paise | undefined = 0;
  try {
    for (const [exchange, group] of byExchange) fnoMarginPaise += await broker.marginFor(group, exchange);
  } catch (err) {
    deps.log.warn({ err, accountId }, 'broker margin calculator unavailable for the basket funds check');
    fnoMarginPaise = undefined;
  }
  return { live, fnoMarginPaise };
}

/** Step 2, inside the transaction: the basket's margin and its INSUFFICIENT_FUNDS violations (none when it fits). */
export async function checkBasketFunds(
  tx: Queryable,
  account: { id: string; capitalPaise: Paise },
  legs: readonly BasketMarginLeg[],
  live: LiveBasketFunds | undefined,
): Promise<{ margin: BasketMargin; violations: Violation[] }> {
  const model = basketMargin(legs);
  const [first] = legs;
  if (!live || !first) {
    const short = first && checkFunds(model.marginPaise, await fundsView(tx, account, first.instrument, undefined));
    return { margin: model, violations: short ? [short] : [] };
  }
  const violations: Violation[] = [];
  let marginPaise: Paise = 0;
  let known = true;
  for (const segment of [legs.filter((l) => !fno(l.instrument)), legs.filter((l) => fno(l.instrument))]) {
    const [one] = segment;
    if (!one) continue;
    const required = fno(one.instrument) ? live.fnoMarginPaise : basketMargin(segment).marginPaise;
    if (required === undefined) known = false;
    else marginPaise += required;
    const short = checkFunds(required, await fundsView(tx, account, one.instrument, live.live));
    if (short) violations.push(short);
  }
  const margin = known ? { marginPaise, legsAlonePaise: model.legsAlonePaise, hedged: marginPaise < model.legsAlonePaise } : model;
  return { margin, violations };
}
