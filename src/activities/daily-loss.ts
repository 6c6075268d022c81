/**
 * The daily-loss guard's activities. `guardDailyLoss` watches the prices of an account's open
 * positions for a bounded window, heartbeating, and returns as soon as realized + unrealized loss
 * reaches the daily limit (or when the account holds and awaits nothing any more); the guard
 * workflow (src/workflows/daily-loss-guard.ts) loops over windows and calls `tripDailyLoss`.
 *
 * Prices come from the worker's price feed; a position whose feed price is stale or missing is
 * valued from the price table when that is fresh, else from a REST quote through the worker's
 * quote ration (quote-ration.ts, shared with the price watchers: at most one ask per instrument
 * every STALE_QUOTE_EVERY_MS, inside the broker's call budget), else at the last price known, with
 * an alert: never as no loss (src/domain/risk/open-loss.ts). A position with no price at all makes
 * the reading unknown: alerted (`daily_loss_price_unknown`), never flattened on, and the pre-trade
 * check refuses new entries meanwhile (OPEN_LOSS_UNKNOWN). While the instrument's market is closed
 * no quote is spent and nothing is alerted: no price is fresh then.
 *
 * @module
 */
import type { Actor } from '../audit/events.ts';
import { knownPrice, type LatestPrice, type Unwatch } from '../broker/price-feed.ts';
import { defaultRiskLimits } from '../config.ts';
import { lastPrices, recordPrice } from '../db/market-prices.ts';
import { readDayLossBook } from '../db/book.ts';
import { listenAccountBooks } from '../db/trades.ts';
import { consistentRead } from '../db/transaction.ts';
import { holidaysOf } from '../db/market-holidays.ts';
import { marketStatus } from '../domain/market-calendar.ts';
import { formatRupees } from '../domain/money.ts';
import { type DailyLossReading, type GuardedPosition, isFresh, type KnownPrice, readDailyLoss } from '../domain/risk/open-loss.ts';
import { type Instrument, instrumentKey } from '../domain/trade.ts';
import { type ActivityDeps, cancelled, heartbeat, pause } from './context.ts';
import { workerQuoteRation } from './quote-ration.ts';

export interface GuardInput {
  accountId: string;
  /** How long one call watches before it returns (the workflow calls again). */
  windowMs: number;
}

export interface GuardResult {
  /** CROSSED: the loss reached the limit; FLAT: nothing open or pending; WINDOW_ENDED: call again. */
  outcome: 'CROSSED' | 'FLAT' | 'WINDOW_ENDED';
  reading?: DailyLossReading | undefined;
}

/**
 * Open trades, the day's realized P&L and the limits are read again when the account's book
 * announces a change (migration 0220), and without one this often (a notice lost with a dropped
 * connection, the turn of the IST day). Prices come as they tick.
 */
const BOOK_REFRESH_MS = 30_000;
/** A book that keeps changing (entries and fills streaming in) is read at most this often. */
const BOOK_REREAD_GAP_MS = 1000;
/** Without a tick, the loss is read again this often (a stale price may need a quote). */
const IDLE_CHECK_MS = 1000;
/**
 * Ticks wake the guard at most this often: an account holding 250 instruments of a feed ticking
 * 1,000 times a second would otherwise value its whole book on every tick of any of them.
 */
const TICK_READ_GAP_MS = 200;
/** A position without a fresh price is asked a REST quote (from the ration) at most this often. */
export const STALE_QUOTE_EVERY_MS = 15_000;

interface GuardBook {
  /** Each wake sets every position's `price` before valuing the book. */
  positions: (GuardedPosition & { instrument: Instrument })[];
  pending: number;
  realizedPaise: number;
  limitPaise: number;
}

export function dailyLossActivities(deps: ActivityDeps) {
  const now = deps.now ?? (() => new Date());
  const maxAgeMs = deps.config.market.QUOTE_MAX_AGE_S * 1000;
  /** When this worker last had an answer to an instrument's quote (a price or a failure). */
  const quotedAt = new Map<string, number>();
  const quotes = workerQuoteRation(deps);
  /**
   * The feed's latest price of each instrument, made a KnownPrice again only when it changed: at
   * 250 positions a guard and 5 wakes a second, a date parse per position per wake was most of
   * what the guards cost the worker while prices streamed. Shared by every account's guard.
   */
  const fromFeed = new Map<string, { at: string; known: KnownPrice }>();
  function feedPrice(key: string, latest: LatestPrice): KnownPrice {
    const seen = fromFeed.get(key);
    if (seen && seen.at === latest.at && seen.known.pricePaise === latest.lastPricePaise && seen.known.stale === latest.stale) return seen.known;
    const known = knownPrice(latest);
    fromFeed.set(key, { at: latest.at, known });
    return known;
  }

  async function readGuardBook(accountId: string): Promise<GuardBook> {
    // One snapshot: a trade closing between the open book's read and the realized P&L's would
    // count twice (a false trip that flattens the account) or not at all.
    const book = await consistentRead(deps.sql, (tx) => readDayLossBook(tx, defaultRiskLimits(deps.config.risk), accountId, now()));
    const positions = book.positions
      .filter((p) => p.quantity > 0 && p.entryPricePaise !== null)
      .map((p) => ({ instrument: p.instrument, instrumentKey: instrumentKey(p.instrument), side: p.side, quantity: p.quantity, entryPricePaise: p.entryPricePaise! }));
    return { positions, pending: book.pending, realizedPaise: book.realizedTodayPaise, limitPaise: book.limits.dailyLossLimitPaise };
  }

  /** Whether the instrument's exchange trades now (holidays read once per guard call). */
  async function tradingNow(instrument: Instrument, holidays: Map<string, Set<string>>): Promise<boolean> {
    let days = holidays.get(instrument.exchange);
    if (!days) holidays.set(instrument.exchange, (days = await holidaysOf(deps.sql, instrument.exchange)));
    return marketStatus(now(), deps.config.market.MARKET_HOURS, days).open;
  }

  /**
   * The best price known for each instrument: the feed's, else the table's, else a rationed quote.
   * Returns also which instruments lack a fresh price while their market is open (a closed market
   * has no fresh prices to give: no quote is spent and nothing is alerted then).
   */
  async function pricesOf(instruments: Map<string, Instrument>, holidays: Map<string, Set<string>>): Promise<{ known: Map<string, KnownPrice>; missed: string[] }> {
    const at = now();
    const known = new Map<string, KnownPrice>();
    const lacking: string[] = [];
    for (const [key, instrument] of instruments) {
      const latest = deps.prices.latest(instrument);
      if (latest) known.set(key, feedPrice(key, latest));
      if (!isFresh(known.get(key), at, maxAgeMs)) lacking.push(key);
    }
    const missed: string[] = [];
    if (!lacking.length) return { known, missed };
    const table = await lastPrices(deps.sql, lacking);
    for (const key of lacking) {
      const row = table.get(key);
      const best = known.get(key);
      if (row && (!best || row.at > best.at)) known.set(key, { pricePaise: row.pricePaise, at: row.at });
      if (isFresh(known.get(key), at, maxAgeMs) || !(await tradingNow(instruments.get(key)!, holidays))) continue;
      missed.push(key);
      if (Date.now() - (quotedAt.get(key) ?? 0) < STALE_QUOTE_EVERY_MS) continue;
      heartbeat(); // a slow broker answer must not pass for a lost worker
      try {
        const quote = await quotes.get(instruments.get(key)!);
        // no room in the ration now: asked again at the next check
        if (!quote) continue;
        quotedAt.set(key, Date.now());
        await recordPrice(deps.sql, key, quote.lastPricePaise, new Date(quote.at));
        known.set(key, { pricePaise: quote.lastPricePaise, at: new Date(quote.at) });
        if (isFresh(known.get(key), at, maxAgeMs)) missed.pop();
      } catch (err) {
        quotedAt.set(key, Date.now());
        deps.log.warn({ err, instrument: key }, 'quote unavailable for the daily-loss guard');
      }
    }
    return { known, missed };
  }

  return {
    async guardDailyLoss(input: GuardInput): Promise<GuardResult> {
      const until = Date.now() + input.windowMs;
      const watches = new Map<string, Unwatch>();
      const alerted = new Set<string>();
      let wake: () => void = () => {};
      const holidays = new Map<string, Set<string>>();
      let bookChanged = false;
      const changed = () => {
        bookChanged = true;
        wake();
      };
      // listening before the first read: a change committed after it is not missed
      const unlisten = await listenAccountBooks(deps.sql, (accountId) => accountId === input.accountId && changed(), changed);
      try {
        /** Read the book, and watch the prices of what it holds (only then: a wake only values it). */
        const read = async () => {
          bookChanged = false;
          const book = await readGuardBook(input.accountId);
          const instruments = new Map(book.positions.map((p) => [p.instrumentKey, p.instrument]));
          for (const [key, unwatch] of watches) {
            if (instruments.has(key)) continue;
            unwatch();
            watches.delete(key);
          }
          for (const [key, instrument] of instruments) if (!watches.has(key)) watches.set(key, deps.prices.watch(instrument, () => wake()));
          return { book, instruments, at: Date.now() };
        };
        let held = await read();
        for (;;) {
          const sinceRead = Date.now() - held.at;
          if ((bookChanged && sinceRead >= BOOK_REREAD_GAP_MS) || sinceRead >= BOOK_REFRESH_MS) held = await read();
          const { book, instruments } = held;
          const readAt = Date.now();
          if (!book.positions.length && !book.pending) return { outcome: 'FLAT' };

          const prices = await pricesOf(instruments, holidays);
          for (const p of book.positions) p.price = prices.known.get(p.instrumentKey);
          const reading = readDailyLoss(book.realizedPaise, book.positions, book.limitPaise, now(), maxAgeMs);
          if (reading.crossed) return { outcome: 'CROSSED', reading };
          for (const key of prices.missed.filter((k) => !alerted.has(k))) {
            alerted.add(key);
            if (reading.unknown.includes(key)) {
              deps.log.error(
                { alert: 'daily_loss_price_unknown', accountId: input.accountId, instrument: key },
                `no price at all for ${key}: the daily loss of ${input.accountId} cannot be known; new entries are refused (OPEN_LOSS_UNKNOWN) and nothing is flattened until it has one`,
              );
            } else {
              deps.log.error(
                { alert: 'daily_loss_price_stale', accountId: input.accountId, instrument: key, price: prices.known.get(key) },
                `no fresh price for ${key}: the daily loss of ${input.accountId} counts its last known price`,
              );
            }
          }
          if (Date.now() >= until) return { outcome: 'WINDOW_ENDED', reading };
          heartbeat({ lossPaise: reading.lossPaise, unpriced: reading.unpriced, unknown: reading.unknown });
          await Promise.race([
            new Promise<void>((resolve) => {
              const timer = setTimeout(resolve, IDLE_CHECK_MS);
              wake = () => {
                clearTimeout(timer);
                resolve();
              };
            }),
            cancelled(),
          ]);
          wake = () => {};
          const early = readAt + TICK_READ_GAP_MS - Date.now();
          if (early > 0) await pause(early);
        }
      } finally {
        for (const unwatch of watches.values()) unwatch();
        await unlisten();
      }
    },

    /** The loss reached the limit: REDUCING, and (DAILY_LOSS_ACTION=flatten, the default) flatten the book. */
    async tripDailyLoss(accountId: string, reading: DailyLossReading): Promise<void> {
      const actor: Actor = { type: 'system', id: 'daily-loss-guard' };
      const flatten = deps.config.risk.DAILY_LOSS_ACTION === 'flatten';
      const reason =
        `DAILY_LOSS_LIMIT: day loss ${formatRupees(reading.lossPaise)} (realized ${formatRupees(reading.realizedPaise)}, ` +
        `unrealized ${formatRupees(reading.unrealizedPaise)}) reached the limit ${formatRupees(reading.limitPaise)} with positions open` +
        (reading.unpriced.length ? `; valued without a fresh price: ${reading.unpriced.join(', ')}` : '');
      await deps.breaker.reduce(accountId, reason, actor, flatten);
    },
  };
}
