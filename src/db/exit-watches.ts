/**
 * The exit book's rows (migration 0210): what each held position asks to be watched for. Written by
 * the trade workflow (through its activities), read whole by every worker at start and on every
 * (re)connect, and row by row as their changes are announced.
 *
 * @module
 */
import type { Paise } from '../domain/money.ts';
import type { Instrument, Side } from '../domain/trade.ts';
import type { Queryable, Sql } from './pool.ts';

export const EXIT_WATCH_CHANNEL = 'exit_watch';

export interface ExitWatch {
  workflowId: string;
  /** Which booking of the workflow this is: a signal names it, and a new one is judged afresh. */
  booking: string;
  tradeId: string;
  instrument: Instrument;
  side: Side;
  stopLossPaise?: Paise | undefined;
  targetPaise?: Paise | undefined;
  /** Protective orders resting at a broker that announces their changes: their owner is told when one changes. */
  restingOrderIds: string[];
}

type Row = { workflow_id: string; booking: string; trade_id: string; instrument: Instrument; side: Side; stop_loss_paise: number | null; target_paise: number | null; resting_order_ids: string[] };

const fromRow = (r: Row): ExitWatch => ({
  workflowId: r.workflow_id,
  booking: r.booking,
  tradeId: r.trade_id,
  instrument: r.instrument,
  side: r.side,
  stopLossPaise: r.stop_loss_paise ?? undefined,
  targetPaise: r.target_paise ?? undefined,
  restingOrderIds: r.resting_order_ids,
});

/** Write (or replace) a position's watch; the same booking written again (a retried activity) changes nothing. */
export async function bookExitWatch(sql: Queryable, w: ExitWatch): Promise<void> {
  await sql`
    insert into exit_watches (workflow_id, booking, trade_id, instrument, side, stop_loss_paise, target_paise, resting_order_ids)
    values (${w.workflowId}, ${w.booking}, ${w.tradeId}, ${sql.json(w.instrument as never)}, ${w.side}, ${w.stopLossPaise ?? null}, ${w.targetPaise ?? null}, ${sql.array(w.restingOrderIds)}::text[])
    on conflict (workflow_id) do update set
      booking = excluded.booking, instrument = excluded.instrument, side = excluded.side, stop_loss_paise = excluded.stop_loss_paise,
      target_paise = excluded.target_paise, resting_order_ids = excluded.resting_order_ids, booked_at = now()
    where exit_watches.booking <> excluded.booking`;
}

export async function unbookExitWatch(sql: Queryable, workflowId: string): Promise<void> {
  await sql`delete from exit_watches where workflow_id = ${workflowId}`;
}

export async function exitWatches(sql: Queryable, workflowIds?: string[]): Promise<ExitWatch[]> {
  const rows = workflowIds
    ? await sql<Row[]>`select * from exit_watches where workflow_id = any(${sql.array(workflowIds)}::text[])`
    : await sql<Row[]>`select * from exit_watches`;
  return rows.map(fromRow);
}

/** Listen for changed watches (by workflow id); `onListen` runs on every (re)connect. Resolves once listening. */
export async function listenExitWatches(sql: Sql, onChange: (workflowId: string) => void, onListen: () => void): Promise<() => Promise<void>> {
  const { unlisten } = await sql.listen(EXIT_WATCH_CHANNEL, onChange, onListen);
  return unlisten;
}
