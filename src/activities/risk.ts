/**
 * The atomic risk reservation (invariant 1). One transaction locks the account row, records the
 * trade, reads the trading state, open positions, reservations of orders in flight, the day's
 * realized P&L and the last prices, runs the pure rules, and either reserves the exposure or
 * records the rejection, with the audit records. Every reservation takes the same lock, so no
 * burst of concurrent requests can overshoot a limit.
 *
 * @module
 */
import { defaultRiskLimits } from '../config.ts';
import type { Actor } from '../audit/events.ts';
import { lockAccount } from '../db/accounts.ts';
import { exchangeCalendarOf } from '../db/market-calendars.ts';
import { recordWebhookReceipt } from '../db/webhook-receipts.ts';
import { getTrade, insertTrade, openInstruments, type TradeRow } from '../db/trades.ts';
import { readBook } from '../db/book.ts';
import { type RecordedPrice, recordPrice, recordPrices } from '../db/market-prices.ts';
import { insertReservation } from '../db/reservations.ts';
import { transaction } from '../db/transaction.ts';
import { calendarViolation } from '../domain/calendar/coverage.ts';
import { marketStatus, pastIntradayCutoff } from '../domain/market-calendar.ts';
import { notional } from '../domain/money.ts';
import { isFresh } from '../domain/risk/open-loss.ts';
import { checkRisk, type Violation } from '../domain/risk/rules.ts';
import { checkIndiaRules, switchesFrom } from '../domain/risk/india-rules.ts';
import { checkFunds } from '../domain/risk/funds.ts';
import { brokerStockCode, fundsView, priceEntry, readLiveFunds, requiredMargin } from './funds.ts';
import { instrumentRules, ruleSwitchOverrides } from '../db/instrument-rules.ts';
import { knownPrice } from '../broker/price-feed.ts';
import type { Quote } from '../broker/types.ts';
import { type Instrument, instrumentKey, type TradeStatus } from '../domain/trade.ts';
import { maxSliceQuantity } from '../domain/freeze-slices.ts';
import { failpoint } from '../observability/failpoints.ts';
import { claimBasketLeg } from './basket-claim.ts';
import { type ActivityDeps, callingWorkflow } from './context.ts';
import type { TradeStart } from './ports.ts';
import { checkStrategy, resolveStrategy, strategyFacts } from './strategy-risk.ts';

/** A trade's request and who made it (as POST /trades or a basket's leg starts it): the trade workflow's input, less what only the workflow uses. */
export interface ReserveInput extends TradeStart {
  signalId?: string | undefined;
  /** The trade sends F&O orders above the freeze quantity as slices (the freeze-slices patch). */
  freezeSlicing?: boolean | undefined;
}

export interface ReserveResult {
  /** DUPLICATE: the trade row belongs to an earlier workflow run; this run must not trade. */
  outcome: 'ACCEPTED' | 'REJECTED' | 'DUPLICATE';
  violations: Violation[];
  status: TradeStatus;
  /** With `freezeSlicing`: the largest quantity one order of this instrument may carry (../domain/freeze-slices.ts). */
  maxSliceQuantity?: number | undefined;
}

/**
 * How often an entry into a book that already holds something asks the daily-loss guard again.
 * The guard ends only when it finds the book flat, so while it holds anything the running guard
 * watches every entry without being told; the periodic ask restarts a guard that ended otherwise
 * (it tripped, or was terminated); resuming trading restarts it at once
 * (src/api/services/resume-trading.ts). Asking on every fill cost a signal-with-start, a history
 * write and a workflow task per entry.
 */
const GUARD_ASK_EVERY_MS = 60_000;

export function riskActivities(deps: ActivityDeps) {
  const now = deps.now ?? (() => new Date());
  /** When this worker last asked each account's guard to watch. */
  const guardAskedAt = new Map<string, number>();

  /**
   * Refresh the last prices the decision needs (broker calls stay outside the transaction);
   * returns the order instrument's quote, whose circuits the India rules check. An open position's
   * instrument whose streamed price is fresh is recorded from the feed: quoting every open
   * instrument over REST on every entry spent a Breeze call each (docs/breeze-api.md#rate-limits)
   * for a price the worker already had. A stale or missing one is quoted, as the order's is.
   */
  async function refreshPrices(input: ReserveInput): Promise<Quote | undefined> {
    let orderQuote: Quote | undefined;
    const orderKey = instrumentKey(input.request.instrument);
    const unique = new Map([input.request.instrument, ...(await openInstruments(deps.sql, input.accountId))].map((i) => [instrumentKey(i), i]));
    const at = now();
    const streamed: RecordedPrice[] = [];
    const toQuote: [string, Instrument][] = [];
    for (const [key, instrument] of unique) {
      const latest = key === orderKey ? undefined : deps.prices.latest(instrument);
      const known = latest && knownPrice(latest);
      if (isFresh(known, at, deps.config.market.QUOTE_MAX_AGE_S * 1000)) streamed.push({ instrumentKey: key, pricePaise: known.pricePaise, at: known.at });
      else toQuote.push([key, instrument]);
    }
    await Promise.all([
      recordPrices(deps.sql, streamed),
      ...toQuote.map(async ([key, instrument]) => {
        try {
          const quote = await deps.broker.quote(instrument);
          if (key === orderKey) orderQuote = quote;
          await recordPrice(deps.sql, key, quote.lastPricePaise, new Date(quote.at));
        } catch (err) {
          // No price is a decision too: the rule fails closed on a missing or stale price.
          deps.log.warn({ err, instrument: key }, 'quote unavailable for the risk check');
        }
      }),
    ]);
    return orderQuote;
  }

  /**
   * A position may open now: the daily-loss guard must watch it (src/workflows/daily-loss-guard.ts).
   * Asked when the book was flat before this entry (the guard may have ended, or be ending), else
   * at most once a minute per account.
   */
  async function guardDailyLoss(accountId: string, bookWasFlat: boolean): Promise<void> {
    const at = Date.now();
    if (!bookWasFlat && at - (guardAskedAt.get(accountId) ?? -Infinity) < GUARD_ASK_EVERY_MS) return;
    guardAskedAt.set(accountId, at);
    try {
      await deps.breaker.guardDailyLoss(accountId);
    } catch (err) {
      guardAskedAt.delete(accountId);
      // The entry goes on: the guard also starts with every worker, and the next entry asks again.
      deps.log.error({ err, alert: 'daily_loss_guard_unavailable', accountId }, 'could not start the daily-loss guard');
    }
  }

  return {
    async reserveRisk(input: ReserveInput): Promise<ReserveResult> {
      const { workflowId, runId } = callingWorkflow();
      const wfId = workflowId ?? `trade-${input.tradeId}`;
      const workflowActor: Actor = { type: 'workflow', id: wfId };
      const base = { accountId: input.accountId, tradeId: input.tradeId, workflowId: wfId, runId, clientIp: input.clientIp, requestId: input.requestId };

      const sliceOf = async (r: ReserveResult): Promise<ReserveResult> => {
        if (!input.freezeSlicing || r.outcome !== 'ACCEPTED') return r;
        const rules = await instrumentRules(deps.sql, input.request.instrument.exchange, input.request.instrument.symbol, deps.config.market.DEFAULT_TICK_PAISE);
        const fno = input.request.instrument.product === 'FUTURES' || input.request.instrument.product === 'OPTIONS';
        return fno ? { ...r, maxSliceQuantity: maxSliceQuantity(rules) } : r;
      };
      // A basket's leg was judged and reserved with its basket (baskets.ts): this run claims it.
      // Any other trade recorded already (by an earlier attempt, or another run) is found by its
      // insert below, which answers as the decision taken: not read first on every entry.
      const leg = input.basketId ? await getTrade(deps.sql, input.tradeId) : undefined;
      if (leg) return sliceOf(await claimBasketLeg(deps.sql, leg, runId));
      // independent reads before the transaction, sent together
      const [quote, calendar, stockCode] = await Promise.all([
        refreshPrices(input),
        exchangeCalendarOf(deps.sql, input.request.instrument.exchange),
        input.request.orderType === 'MARKET' ? brokerStockCode(deps, input.request.instrument.symbol) : input.request.instrument.symbol,
      ]);
      // funds and margin (src/activities/funds.ts): the live broker's reads, before the transaction
      const live = await readLiveFunds(deps, input.accountId, priceEntry(input.request, quote?.lastPricePaise, stockCode, quote)?.leg);

      let bookWasFlat = true;
      const result = await transaction(deps.sql, async (tx): Promise<ReserveResult> => {
        const account = await lockAccount(tx, input.accountId);
        if (!account) throw new Error(`account ${input.accountId} does not exist`);
        const r = input.request;
        const strategy = await resolveStrategy(tx, deps.config, input.accountId, r.strategy);
        const created = await insertTrade(tx, {
          id: input.tradeId,
          accountId: input.accountId,
          workflowId: wfId,
          runId: runId ?? 'direct',
          requestFingerprint: input.requestFingerprint,
          source: input.source,
          signalId: input.signalId,
          requestedBy: `${input.requestedBy.type}:${input.requestedBy.id}`,
          request: r,
          strategy: strategy.strategy,
        });
        if (created && input.signalId) await recordWebhookReceipt(tx, input.signalId, input.requestedBy.id, input.tradeId);
        if (!created) {
          // An earlier attempt of this activity, or another run, recorded the trade first.
          const existing = await getTrade(tx, input.tradeId);
          if (!existing) throw new Error(`trade ${input.tradeId} conflicts but cannot be read`);
          return decisionTaken(existing, runId);
        }
        await deps.audit.append(tx, {
          type: 'TRADE_REQUESTED',
          actor: input.requestedBy,
          ...base,
          payload: {
            source: input.source,
            signalId: input.signalId,
            strategyId: r.strategyId,
            instrument: r.instrument,
            side: r.side,
            quantity: r.quantity,
            orderType: r.orderType,
            limitPricePaise: r.limitPricePaise,
            stopLossPaise: r.stopLossPaise,
            targetPaise: r.targetPaise,
            trailingStop: r.trailingStop,
            intraday: r.intraday,
            ...strategyFacts(strategy),
          },
        });

        const at = now();
        const key = instrumentKey(r.instrument);
        // the reads the rules need, pipelined on the transaction's connection (one wait, not four)
        const [accountBook, rules, overrides, fundsNow] = await Promise.all([
          readBook(tx, defaultRiskLimits(deps.config.risk), account, at, [key]),
          instrumentRules(tx, r.instrument.exchange, r.instrument.symbol, deps.config.market.DEFAULT_TICK_PAISE),
          ruleSwitchOverrides(tx, input.accountId),
          fundsView(tx, account, r.instrument, live),
        ]);
        const { book, limits, prices } = accountBook;
        // read under the account's lock: no position can close (nor this entry commit) meanwhile
        bookWasFlat = accountBook.openTrades.length === 0 && book.reservations.length === 0;
        const market = marketStatus(at, deps.config.market.MARKET_HOURS, calendar.holidays, calendar.sessions);
        const entry = priceEntry(r, prices.get(key)?.pricePaise, stockCode, quote);
        const funds = entry ? { marginPaise: requiredMargin(entry.leg, live), funds: fundsNow } : undefined;
        // concentration is measured against the account's actual funds where they are known
        if (funds?.funds) book.capitalPaise = funds.funds.balancePaise;
        const violations = checkRisk(
          { instrumentKey: key, side: r.side, quantity: r.quantity, orderType: r.orderType, limitPricePaise: r.limitPricePaise, reservePricePaise: entry?.reservePaise, lastPrice: prices.get(key), intraday: r.intraday },
          book,
          limits,
          {
            open: market.open,
            closedReason: market.reason,
            pastIntradayCutoff: pastIntradayCutoff(at, deps.config.market.MARKET_HOURS, deps.config.market.SQUARE_OFF_TIME),
            now: at,
            maxQuoteAgeMs: deps.config.market.QUOTE_MAX_AGE_S * 1000,
          },
        );

        // A year without its exchange calendar is unknown, never assumed open (docs/indian-market.md#the-calendar-as-data).
        const noCalendar = calendarViolation(at, deps.config.market.MARKET_HOURS, r.instrument.exchange, calendar.years);
        if (noCalendar) violations.unshift(noCalendar);
        violations.push(
          ...checkIndiaRules(
            { product: r.instrument.product, quantity: r.quantity, limitPricePaise: r.limitPricePaise, stopLossPaise: r.stopLossPaise, targetPaise: r.targetPaise },
            rules,
            switchesFrom(overrides),
            { broker: deps.broker.name, upperCircuitPaise: quote?.upperCircuitPaise, lowerCircuitPaise: quote?.lowerCircuitPaise, freezeSlicing: input.freezeSlicing },
          ),
        );
        violations.push(...(await checkStrategy(tx, strategy, { request: r, accountBook, accountLimits: limits, accountViolations: violations, now: at, maxQuoteAgeMs: deps.config.market.QUOTE_MAX_AGE_S * 1000 })));
        // without a price PRICE_UNAVAILABLE has refused it already
        const short = funds && checkFunds(funds.marginPaise, funds.funds);
        if (short) violations.push(short);
        if (violations.length) {
          await tx`
            update trades set status = 'REJECTED', violations = ${tx.json(violations as never)},
              reject_reason = ${violations.map((v) => v.rule).join(', ')}, updated_at = now()
            where id = ${input.tradeId}`;
          await deps.audit.append(tx, { type: 'RISK_CHECK_REJECTED', actor: workflowActor, ...base, payload: { violations, limits } });
          return { outcome: 'REJECTED', violations, status: 'REJECTED' };
        }
        const pricePaise = entry?.reservePaise ?? (r.orderType === 'LIMIT' ? r.limitPricePaise! : prices.get(key)!.pricePaise);
        const notionalPaise = notional(r.quantity, pricePaise);
        const marginPaise = funds?.marginPaise ?? 0;
        await insertReservation(tx, { tradeId: input.tradeId, accountId: input.accountId, instrumentKey: key, side: r.side, quantity: r.quantity, notionalPaise, marginPaise, pricePaise: entry?.capPaise, createdAt: at });
        await deps.audit.append(tx, {
          type: 'RISK_CHECK_PASSED',
          actor: workflowActor,
          ...base,
          payload: { reservedQuantity: r.quantity, reservedNotionalPaise: notionalPaise, reservedPricePaise: entry?.capPaise, reservedMarginPaise: marginPaise, funds: funds?.funds && { ...funds.funds, asOf: funds.funds.asOf?.toISOString() }, lastPricePaise: prices.get(key)?.pricePaise, limits },
        });
        return { outcome: 'ACCEPTED', violations: [], status: 'PENDING' };
      });
      if (result.outcome === 'ACCEPTED') {
        failpoint('after-reservation');
        await guardDailyLoss(input.accountId, bookWasFlat);
      }
      return sliceOf(result);
    },
  };
}

/** The decision already taken: a retried attempt gets the same answer; another run must not trade. */
function decisionTaken(trade: TradeRow, runId: string | undefined): ReserveResult {
  if (runId && trade.runId && trade.runId !== runId) return { outcome: 'DUPLICATE', violations: trade.violations ?? [], status: trade.status };
  if (trade.status === 'REJECTED') return { outcome: 'REJECTED', violations: trade.violations ?? [], status: trade.status };
  return { outcome: 'ACCEPTED', violations: [], status: trade.status };
}
