/**
 * The basket's reservation: the risk manager judges the basket as a whole, in one transaction
 * under the account's lock, before any leg goes out (invariant 1, as risk.ts for one trade).
 * Every leg is recorded as a trade of its own and checked against the book with the legs before
 * it (so a basket counts as its legs for MAX_OPEN_POSITIONS and the rest); the basket reserves
 * its margin (src/domain/margin.ts basketMargin: a hedged spread less than its legs alone), checked
 * against the account's funds (basket-funds.ts) and shared out over its legs' reservations. All
 * legs are accepted, or none.
 *
 * @module
 */
import { defaultRiskLimits } from '../config.ts';
import type { Actor } from '../audit/events.ts';
import { lockAccount } from '../db/accounts.ts';
import { getBasket, insertBasket, linkBasketLeg, updateBasket } from '../db/baskets.ts';
import { readBook } from '../db/book.ts';
import { instrumentRules, ruleSwitchOverrides } from '../db/instrument-rules.ts';
import { exchangeCalendarOf } from '../db/market-calendars.ts';
import { recordPrice } from '../db/market-prices.ts';
import { insertReservation } from '../db/reservations.ts';
import { insertTrade, openTrades } from '../db/trades.ts';
import { transaction } from '../db/transaction.ts';
import type { BasketLeg } from '../domain/basket.ts';
import { orderMargin } from '../domain/margin.ts';
import { calendarViolation } from '../domain/calendar/coverage.ts';
import { tradeWorkflowId } from '../domain/ids.ts';
import { marketStatus, pastIntradayCutoff } from '../domain/market-calendar.ts';
import { notional } from '../domain/money.ts';
import { checkIndiaRules, switchesFrom } from '../domain/risk/india-rules.ts';
import { checkRisk, type Violation } from '../domain/risk/rules.ts';
import { instrumentKey } from '../domain/trade.ts';
import { unclaimed } from './basket-claim.ts';
import { type BasketMarginLeg, checkBasketFunds, readLiveBasketFunds } from './basket-funds.ts';
import { brokerStockCode, priceEntry } from './funds.ts';
import { type ActivityDeps, callingWorkflow } from './context.ts';

export interface BasketReserveInput {
  basketId: string;
  accountId: string;
  legs: BasketLeg[];
  requestFingerprint: string;
  requestedBy: Actor;
  clientIp?: string | undefined;
  requestId?: string | undefined;
}

/** A violation of one leg (1-based), or of the basket as a whole when `leg` is absent. */
export type BasketViolation = Violation & { leg?: number };

export interface BasketReserveResult {
  outcome: 'ACCEPTED' | 'REJECTED';
  violations: BasketViolation[];
}

export function basketReserveActivities(deps: ActivityDeps) {
  const now = deps.now ?? (() => new Date());

  /** Last prices of the legs and of the open positions (broker calls stay outside the transaction). */
  async function refreshPrices(input: BasketReserveInput): Promise<Map<string, { last: number; upper?: number | undefined; lower?: number | undefined }>> {
    const bands = new Map<string, { last: number; upper?: number | undefined; lower?: number | undefined }>();
    const instruments = [...input.legs.map((l) => l.request.instrument), ...(await openTrades(deps.sql, input.accountId)).map((t) => t.instrument)];
    const unique = new Map(instruments.map((i) => [instrumentKey(i), i]));
    await Promise.all(
      [...unique].map(async ([key, instrument]) => {
        try {
          const quote = await deps.broker.quote(instrument);
          bands.set(key, { last: quote.lastPricePaise, upper: quote.upperCircuitPaise, lower: quote.lowerCircuitPaise });
          await recordPrice(deps.sql, key, quote.lastPricePaise, new Date(quote.at));
        } catch (err) {
          deps.log.warn({ err, instrument: key }, 'quote unavailable for the basket risk check');
        }
      }),
    );
    return bands;
  }

  return {
    async reserveBasket(input: BasketReserveInput): Promise<BasketReserveResult> {
      const { workflowId, runId } = callingWorkflow();
      const wfId = workflowId ?? `basket-${input.basketId}`;
      const actor: Actor = { type: 'workflow', id: wfId };
      const known = await getBasket(deps.sql, input.basketId);
      if (known) return { outcome: known.status === 'REJECTED' ? 'REJECTED' : 'ACCEPTED', violations: known.violations ?? [] };
      const bands = await refreshPrices(input);
      const exchanges = [...new Set(input.legs.map((l) => l.request.instrument.exchange))];
      const calendars = new Map(await Promise.all(exchanges.map(async (e) => [e, await exchangeCalendarOf(deps.sql, e)] as const)));
      // funds and margin (basket-funds.ts): the live broker's reads, before the transaction, at the prices just read
      // each leg's order goes out capped at its worst price: a MARKET leg's protective limit, as a single order's (funds.ts priceEntry)
      const stockCodes = await Promise.all(input.legs.map(({ request: r }) => (r.orderType === 'MARKET' ? brokerStockCode(deps, r.instrument.symbol) : r.instrument.symbol)));
      const capOf = (i: number, lastPaise: number | undefined) => {
        const r = input.legs[i]!.request;
        const band = bands.get(instrumentKey(r.instrument));
        return priceEntry(r, lastPaise, stockCodes[i]!, { upperCircuitPaise: band?.upper, lowerCircuitPaise: band?.lower })?.capPaise;
      };
      const quoted = input.legs.map(({ request: r }): BasketMarginLeg => ({ instrument: r.instrument, side: r.side, quantity: r.quantity, pricePaise: r.orderType === 'LIMIT' ? r.limitPricePaise! : (bands.get(instrumentKey(r.instrument))?.last ?? 0) }));
      const live = await readLiveBasketFunds(deps, input.accountId, quoted);

      const result = await transaction(deps.sql, async (tx): Promise<BasketReserveResult> => {
        const account = await lockAccount(tx, input.accountId);
        if (!account) throw new Error(`account ${input.accountId} does not exist`);
        const requestedBy = `${input.requestedBy.type}:${input.requestedBy.id}`;
        if (!(await insertBasket(tx, { id: input.basketId, accountId: input.accountId, workflowId: wfId, requestFingerprint: input.requestFingerprint, requestedBy }))) {
          const existing = await getBasket(tx, input.basketId);
          return { outcome: existing?.status === 'REJECTED' ? 'REJECTED' : 'ACCEPTED', violations: existing?.violations ?? [] };
        }
        const base = { accountId: input.accountId, workflowId: wfId, runId, clientIp: input.clientIp, requestId: input.requestId };
        await deps.audit.append(tx, { type: 'BASKET_REQUESTED', actor: input.requestedBy, ...base, payload: { basketId: input.basketId, legs: input.legs.map((l) => ({ tradeId: l.tradeId, ...l.request })), algoId: deps.config.account.ALGO_ID } });

        const at = now();
        const keys = input.legs.map((l) => instrumentKey(l.request.instrument));
        const { book, limits, prices } = await readBook(tx, defaultRiskLimits(deps.config.risk), account, at, keys);
        const switches = switchesFrom(await ruleSwitchOverrides(tx, input.accountId));
        const violations: BasketViolation[] = [];
        const marginLegs: BasketMarginLeg[] = [];
        /** Each leg's worst fill price (a LIMIT's limit, a MARKET's protective limit): its order goes out capped there (orders.ts withTradeFacts). */
        const caps: (number | undefined)[] = [];
        for (const [i, leg] of input.legs.entries()) {
          const r = leg.request;
          const key = keys[i]!;
          await insertTrade(tx, { id: leg.tradeId, accountId: input.accountId, workflowId: tradeWorkflowId(leg.tradeId), runId: unclaimed(input.basketId), requestFingerprint: leg.requestFingerprint, source: 'api', requestedBy, request: r });
          await linkBasketLeg(tx, leg.tradeId, input.basketId, i);
          await deps.audit.append(tx, { type: 'TRADE_REQUESTED', actor: input.requestedBy, ...base, workflowId: tradeWorkflowId(leg.tradeId), tradeId: leg.tradeId, payload: { source: 'api', basketId: input.basketId, leg: i + 1, ...r, algoId: deps.config.account.ALGO_ID } });
          const calendar = calendars.get(r.instrument.exchange)!;
          const market = marketStatus(at, deps.config.market.MARKET_HOURS, calendar.holidays, calendar.sessions);
          // a year without its exchange calendar is unknown, never assumed open (as risk.ts)
          const noCalendar = calendarViolation(at, deps.config.market.MARKET_HOURS, r.instrument.exchange, calendar.years);
          const band = bands.get(key);
          const found = [
            ...(noCalendar ? [noCalendar] : []),
            ...checkRisk({ instrumentKey: key, side: r.side, quantity: r.quantity, orderType: r.orderType, limitPricePaise: r.limitPricePaise, lastPrice: prices.get(key), intraday: r.intraday }, book, limits, {
              open: market.open,
              closedReason: market.reason,
              pastIntradayCutoff: pastIntradayCutoff(at, deps.config.market.MARKET_HOURS, deps.config.market.SQUARE_OFF_TIME),
              now: at,
              maxQuoteAgeMs: deps.config.market.QUOTE_MAX_AGE_S * 1000,
            }),
            ...checkIndiaRules(
              { product: r.instrument.product, quantity: r.quantity, limitPricePaise: r.limitPricePaise, stopLossPaise: r.stopLossPaise, targetPaise: r.targetPaise },
              await instrumentRules(tx, r.instrument.exchange, r.instrument.symbol, deps.config.market.DEFAULT_TICK_PAISE),
              switches,
              { broker: deps.broker.name, upperCircuitPaise: band?.upper, lowerCircuitPaise: band?.lower, freezeSlicing: true },
            ),
          ];
          violations.push(...found.map((v) => ({ ...v, leg: i + 1 })));
          const pricePaise = r.orderType === 'LIMIT' ? r.limitPricePaise! : (prices.get(key)?.pricePaise ?? 0);
          caps.push(capOf(i, prices.get(key)?.pricePaise));
          marginLegs.push({ instrument: r.instrument, side: r.side, quantity: r.quantity, pricePaise });
          // the legs after this one are judged with this one in the book: a basket counts as its legs
          book.reservations.push({ instrumentKey: key, quantity: r.quantity, notionalPaise: notional(r.quantity, pricePaise) });
          book.ordersLastSecond += 1;
        }
        // the basket's whole margin against the account's funds, under the same lock
        const { margin, violations: short } = await checkBasketFunds(tx, account, marginLegs, live);
        violations.push(...short);
        if (violations.length) {
          for (const leg of input.legs) {
            const own = violations.filter((v) => v.leg === input.legs.indexOf(leg) + 1);
            const whole = violations.filter((v) => v.leg === undefined);
            const reason = own.length ? own.map((v) => v.rule).join(', ') : whole.length ? `its basket: ${whole.map((v) => v.rule).join(', ')}` : 'another leg of its basket was refused';
            await tx`update trades set status = 'REJECTED', violations = ${tx.json(violations as never)}, reject_reason = ${reason}, closed_at = now(), updated_at = now() where id = ${leg.tradeId}`;
          }
          await updateBasket(tx, input.basketId, { status: 'REJECTED', violations, reason: violations.map((v) => (v.leg ? `leg ${v.leg}: ${v.rule}` : v.rule)).join(', '), marginPaise: margin.marginPaise, legsAlonePaise: margin.legsAlonePaise, hedged: margin.hedged });
          await deps.audit.append(tx, { type: 'BASKET_REJECTED', actor, ...base, payload: { basketId: input.basketId, violations, limits, tradeIds: input.legs.map((l) => l.tradeId) } });
          return { outcome: 'REJECTED', violations };
        }
        // the basket's margin, shared out over its legs' reservations in proportion to their legs alone
        const alone = marginLegs.map(orderMargin);
        let left = margin.marginPaise;
        for (const [i, leg] of input.legs.entries()) {
          const share = i === input.legs.length - 1 ? left : Math.round((margin.marginPaise * alone[i]!) / Math.max(1, margin.legsAlonePaise));
          left -= share;
          const r = leg.request;
          await insertReservation(tx, { tradeId: leg.tradeId, accountId: input.accountId, instrumentKey: keys[i]!, side: r.side, quantity: r.quantity, notionalPaise: notional(r.quantity, marginLegs[i]!.pricePaise), marginPaise: share, pricePaise: caps[i], createdAt: at });
          await deps.audit.append(tx, { type: 'RISK_CHECK_PASSED', actor, ...base, workflowId: tradeWorkflowId(leg.tradeId), tradeId: leg.tradeId, payload: { basketId: input.basketId, reservedQuantity: r.quantity, reservedNotionalPaise: notional(r.quantity, marginLegs[i]!.pricePaise), reservedMarginPaise: share, lastPricePaise: prices.get(keys[i]!)?.pricePaise, limits } });
        }
        await updateBasket(tx, input.basketId, { status: 'PENDING', marginPaise: margin.marginPaise, legsAlonePaise: margin.legsAlonePaise, hedged: margin.hedged });
        await deps.audit.append(tx, { type: 'BASKET_RESERVED', actor, ...base, payload: { basketId: input.basketId, ...margin, tradeIds: input.legs.map((l) => l.tradeId) } });
        return { outcome: 'ACCEPTED', violations: [] };
      });
      if (result.outcome === 'ACCEPTED') {
        try {
          await deps.breaker.guardDailyLoss(input.accountId);
        } catch (err) {
          deps.log.error({ err, alert: 'daily_loss_guard_unavailable', accountId: input.accountId }, 'could not start the daily-loss guard');
        }
      }
      return result;
    },
  };
}
