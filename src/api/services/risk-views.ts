/**
 * What GET /risk/status and GET /positions show: the account's book as the risk engine reads it,
 * in rupees and ISO times.
 *
 * @module
 */
import type { Client } from '@temporalio/client';
import { type Config, defaultRiskLimits } from '../../config.ts';
import { readAccountBook, readAccountPositions } from '../../db/book.ts';
import { holidaysOf } from '../../db/market-holidays.ts';
import type { Sql } from '../../db/pool.ts';
import { consistentRead } from '../../db/transaction.ts';
import { pendingLimitChanges } from '../../db/risk-limits.ts';
import { NotFoundError } from '../../domain/errors.ts';
import { marketStatus, pastIntradayCutoff } from '../../domain/market-calendar.ts';
import { paiseToRupees } from '../../domain/money.ts';
import { riskUsage } from '../../domain/risk/usage.ts';
import { grossPnl, instrumentKey, openQuantity } from '../../domain/trade.ts';
import { readBreakerState } from '../../temporal/circuit-breaker.ts';
import { limitsView } from '../schemas/risk.ts';
import { readFundsUsage } from './funds-view.ts';

export interface ViewDeps {
  sql: Sql;
  config: Config;
  temporal: Client;
}

export type RiskStatus = Awaited<ReturnType<typeof readRiskStatus>>;
export type PositionsView = Awaited<ReturnType<typeof readPositions>>;

const rupees = (p: number | null | undefined) => (p === null || p === undefined ? null : paiseToRupees(p));

function found<T>(read: T | undefined, accountId: string): T {
  if (!read) throw new NotFoundError(`account ${accountId}`);
  return read;
}

/** Trading state, limits, how much of each is used, and the market's phase. */
export async function readRiskStatus({ sql, config }: ViewDeps, accountId: string) {
  const now = new Date();
  // One snapshot of everything shown (db/book.ts): a fill moves a trade, its reservation and the
  // funds ledger together, and the status must show them on one side of it. Nothing here is
  // locked, so every read goes out at once, the account row's too.
  const { account, book, limits, holidays, pending, funds } = await consistentRead(sql, async (tx) => {
    const [accountBook, holidays, pending, fundsOf] = await Promise.all([
      readAccountBook(tx, defaultRiskLimits(config.risk), accountId, now),
      holidaysOf(tx, 'NSE'),
      pendingLimitChanges(tx, accountId),
      readFundsUsage(tx, config, accountId),
    ]);
    const { account, book, limits } = found(accountBook, accountId);
    return { account, book, limits, holidays, pending, funds: fundsOf(account.capitalPaise) };
  });
  const market = marketStatus(now, config.market.MARKET_HOURS, holidays);
  // concentration against the account's actual funds where they are known
  const usage = riskUsage({ ...book, capitalPaise: funds.balancePaise ?? book.capitalPaise }, limits, {
    open: market.open,
    closedReason: market.reason,
    pastIntradayCutoff: pastIntradayCutoff(now, config.market.MARKET_HOURS, config.market.SQUARE_OFF_TIME),
    now,
    maxQuoteAgeMs: config.market.QUOTE_MAX_AGE_S * 1000,
  });
  return {
    accountId: account.id,
    tradingState: account.tradingState,
    reason: account.stateReason,
    since: account.stateChangedAt.toISOString(),
    resumeNotBefore: account.resumeNotBefore?.toISOString() ?? null,
    capital: rupees(account.capitalPaise),
    limits: limitsView(limits),
    usage: {
      openPositions: usage.openPositions,
      dailyLoss: {
        used: rupees(usage.dailyLoss.used),
        limit: rupees(usage.dailyLoss.limit),
        ratio: usage.dailyLoss.ratio,
        realized: rupees(usage.dailyLoss.realizedPaise),
        unrealized: rupees(usage.dailyLoss.unrealizedPaise),
      },
      largestPositionQuantity: usage.largestPositionQuantity,
      largestConcentration: { used: rupees(usage.largestConcentration.used), limit: rupees(usage.largestConcentration.limit), ratio: usage.largestConcentration.ratio },
      ordersLastSecond: usage.ordersLastSecond,
      funds,
    },
    market: { phase: market.phase, open: market.open, reason: market.reason ?? null, tradingDay: market.tradingDay, squareOffTime: config.market.SQUARE_OFF_TIME, hours: config.market.MARKET_HOURS },
    pendingLimitChanges: pending.length,
  };
}

/** Open positions with their last prices and unrealized P&L, and the breaker's trading state. */
export async function readPositions({ sql, temporal }: ViewDeps, accountId: string) {
  const [held, breaker] = await Promise.all([consistentRead(sql, (tx) => readAccountPositions(tx, accountId)), readBreakerState(temporal, accountId)]);
  const { account, openTrades, prices } = found(held, accountId);
  const positions = openTrades.map((t) => {
    const last = prices.get(instrumentKey(t.instrument));
    const unrealized = last && t.entryPricePaise !== null ? grossPnl(t.side, openQuantity(t), t.entryPricePaise, last.pricePaise) : undefined;
    return {
      tradeId: t.id,
      status: t.status,
      symbol: t.instrument.symbol,
      exchange: t.instrument.exchange,
      product: t.instrument.product,
      side: t.side,
      quantity: openQuantity(t),
      entryPrice: rupees(t.entryPricePaise),
      lastPrice: rupees(last?.pricePaise),
      lastPriceAt: last?.at.toISOString() ?? null,
      unrealizedPnl: rupees(unrealized),
      stopLoss: rupees(t.stopLossPaise),
      target: rupees(t.targetPaise),
      openedAt: t.openedAt?.toISOString() ?? null,
    };
  });
  return { positions, tradingState: breaker?.tradingState ?? account.tradingState };
}
