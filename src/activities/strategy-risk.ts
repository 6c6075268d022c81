/**
 * The strategy part of the risk reservation (src/activities/risk.ts): which strategy a trade is
 * judged under (stamped on the trade with the algo id its orders carry), whether its kill switch
 * is on, and its own limits checked against its own share of the book, refusing with the limits'
 * rule names (docs/strategies.md). Runs inside the reservation's transaction, after the account
 * lock, so a halt (which takes the same lock) is either before an entry or after it.
 *
 * @module
 */
import type { Config } from '../config.ts';
import type { AccountBook } from '../db/book.ts';
import type { TxSql } from '../db/pool.ts';
import { strategyByName, strategyShare } from '../db/strategies.ts';
import { istDayStart } from '../domain/market-calendar.ts';
import { effectiveLimits, type RiskLimits } from '../domain/risk/limits.ts';
import { checkRisk, type Violation } from '../domain/risk/rules.ts';
import { DEFAULT_STRATEGY, defaultStrategy, type Strategy, strategyHalted, strategyUnknown, strategyViolations } from '../domain/strategy.ts';
import { instrumentKey, type TradeRequest } from '../domain/trade.ts';

/** The strategy a request names (the account's default when it names none); `strategy` undefined when unknown. */
export interface ResolvedStrategy {
  requested: string;
  strategy: Strategy | undefined;
}

/** Find the request's strategy (read under the account's lock: a halt takes it too). The trade row carries its id and algo id. */
export async function resolveStrategy(tx: TxSql, config: Config, accountId: string, name: string | undefined): Promise<ResolvedStrategy> {
  const requested = name ?? DEFAULT_STRATEGY;
  const strategy = requested === DEFAULT_STRATEGY ? defaultStrategy(accountId, config.account.ALGO_ID) : await strategyByName(tx, accountId, requested);
  return { requested, strategy };
}

/** What the trade's audit records say of its strategy. */
export function strategyFacts(resolved: ResolvedStrategy): { strategy: string; algoId: string | undefined } {
  return { strategy: resolved.requested, algoId: resolved.strategy?.algoId };
}

export interface StrategyCheck {
  request: TradeRequest;
  accountBook: AccountBook;
  accountLimits: RiskLimits;
  /** What the account's own rules found already. */
  accountViolations: Violation[];
  now: Date;
  maxQuoteAgeMs: number;
}

/** Every violation of the strategy's rules: unknown, halted, or past one of its own limits. */
export async function checkStrategy(tx: TxSql, resolved: ResolvedStrategy, c: StrategyCheck): Promise<Violation[]> {
  const { strategy } = resolved;
  if (!strategy) return [strategyUnknown(resolved.requested)];
  if (strategy.state === 'HALTED') return [strategyHalted(strategy)];
  if (Object.keys(strategy.limits).length === 0) return [];

  const share = await strategyShare(tx, strategy.accountId, strategy.id, istDayStart(c.now), c.now);
  const { book, openTrades, prices } = c.accountBook;
  const r = c.request;
  const key = instrumentKey(r.instrument);
  const own = checkRisk(
    { instrumentKey: key, side: r.side, quantity: r.quantity, orderType: r.orderType, limitPricePaise: r.limitPricePaise, lastPrice: prices.get(key), intraday: r.intraday },
    {
      ...book,
      positions: book.positions.filter((_, i) => share.openTradeIds.has(openTrades[i]!.id)),
      reservations: share.reservations,
      realizedTodayPaise: share.realizedTodayPaise,
      ordersLastSecond: share.ordersLastSecond,
    },
    effectiveLimits(c.accountLimits, strategy.limits),
    // Only the limits' rules are kept from this check; the market's were the account check's.
    { open: true, pastIntradayCutoff: false, now: c.now, maxQuoteAgeMs: c.maxQuoteAgeMs },
  );
  return strategyViolations(strategy, own, c.accountViolations);
}
