/**
 * The rows of one account's IST day that the day's report is computed from (src/domain/report.ts),
 * and the stored reports of the scheduled run (`daily_reports`).
 *
 * @module
 */
import type { DailyReport, ReportFill } from '../domain/report.ts';
import type { Queryable } from './pool.ts';

export interface DayWindow {
  from: Date;
  to: Date;
}

/** Every fill of the account in [from, to), with its trade's side, instrument and entry price. */
export async function fillsBetween(sql: Queryable, accountId: string, w: DayWindow): Promise<ReportFill[]> {
  const rows = await sql<(Omit<ReportFill, 'kinds'> & { brokerage: string; stt: string; exchange: string; sebi: string; stamp: string; gst: string })[]>`
    select f.trade_id as "tradeId", t.exchange || ':' || t.symbol || ':' || t.product || coalesce(':' || to_char(t.expiry, 'YYYY-MM-DD'), '')
        || coalesce(':' || t.strike_paise::text, '') || coalesce(':' || t.option_right, '') as instrument,
      o.leg, t.side, f.quantity, f.price_paise::float8 as "pricePaise", t.entry_price_paise::float8 as "entryPricePaise",
      f.charges_paise::float8 as "chargesPaise", f.filled_at as "filledAt",
      f.brokerage_paise as brokerage, f.stt_paise as stt, f.exchange_paise as exchange, f.sebi_paise as sebi, f.stamp_paise as stamp, f.gst_paise as gst
    from fills f join orders o on o.tag = f.order_tag join trades t on t.id = f.trade_id
    where f.account_id = ${accountId} and f.filled_at >= ${w.from} and f.filled_at < ${w.to}
    order by f.filled_at, f.id`;
  return rows.map(({ brokerage, stt, exchange, sebi, stamp, gst, ...f }) => ({
    ...f,
    kinds: { brokerage: Number(brokerage), stt: Number(stt), exchange: Number(exchange), sebi: Number(sebi), stamp: Number(stamp), gst: Number(gst) },
  }));
}

/** Net P&L of the trades the account closed in [from, to). */
export async function tradesClosedBetween(sql: Queryable, accountId: string, w: DayWindow): Promise<{ id: string; realizedPnlPaise: number }[]> {
  return sql<{ id: string; realizedPnlPaise: number }[]>`
    select id, coalesce(realized_pnl_paise, 0)::float8 as "realizedPnlPaise" from trades
    where account_id = ${accountId} and status = 'CLOSED' and closed_at >= ${w.from} and closed_at < ${w.to}
    order by closed_at, id`;
}

/** Units held per instrument at `at`: entry fills less exit fills before it. */
export async function heldAt(sql: Queryable, accountId: string, at: Date): Promise<Record<string, number>> {
  const rows = await sql<{ tradeId: string; held: number }[]>`
    select f.trade_id as "tradeId", sum(case when o.leg = 'ENTRY' then f.quantity else -f.quantity end)::int as held
    from fills f join orders o on o.tag = f.order_tag
    where f.account_id = ${accountId} and f.filled_at < ${at}
    group by f.trade_id having sum(case when o.leg = 'ENTRY' then f.quantity else -f.quantity end) > 0`;
  if (!rows.length) return {};
  const trades = await sql<{ id: string; instrument: string }[]>`
    select id, exchange || ':' || symbol || ':' || product || coalesce(':' || to_char(expiry, 'YYYY-MM-DD'), '')
      || coalesce(':' || strike_paise::text, '') || coalesce(':' || option_right, '') as instrument
    from trades where id = any(${rows.map((r) => r.tradeId)})`;
  const instrumentOf = new Map(trades.map((t) => [t.id, t.instrument]));
  const out: Record<string, number> = {};
  for (const r of rows) {
    const key = instrumentOf.get(r.tradeId) ?? r.tradeId;
    out[key] = (out[key] ?? 0) + r.held;
  }
  return out;
}

/** Trades the risk checks refused in [from, to). */
export async function rejectedBetween(sql: Queryable, accountId: string, w: DayWindow): Promise<number> {
  const [row] = await sql<{ n: number }[]>`
    select count(*)::int as n from trades where account_id = ${accountId} and status = 'REJECTED' and created_at >= ${w.from} and created_at < ${w.to}`;
  return row?.n ?? 0;
}

/** Store a day's report; returns the alert event it was already sent as, if any. */
export async function saveDailyReport(sql: Queryable, report: DailyReport): Promise<{ eventId: number | null }> {
  const [row] = await sql<{ eventId: string | null }[]>`
    insert into daily_reports (account_id, day, report) values (${report.accountId}, ${report.day}, ${sql.json(JSON.parse(JSON.stringify(report)))})
    on conflict (account_id, day) do update set report = excluded.report
    returning event_id as "eventId"`;
  return { eventId: row?.eventId ? Number(row.eventId) : null };
}

export async function setReportEvent(sql: Queryable, accountId: string, day: string, eventId: number): Promise<void> {
  await sql`update daily_reports set event_id = ${eventId} where account_id = ${accountId} and day = ${day}`;
}
