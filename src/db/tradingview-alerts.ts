/**
 * Queries of `tradingview_alerts` (one row per alert a strategy's webhook URL accepted) and of the
 * strategy trades an alert acts on (docs/tradingview.md).
 *
 * @module
 */
import type { Side, TradeStatus } from '../domain/trade.ts';
import type { Queryable } from './pool.ts';

export interface AlertRow {
  id: number;
  strategyId: string;
  accountId: string;
  orderId: string;
  alertTime: string;
  outcome: string | null;
}

/** Record the alert; the row already there when the same alert (strategy, order id, time) came before. */
export async function recordAlert(sql: Queryable, a: { strategyId: string; accountId: string; orderId: string; alertTime: string; body: Record<string, unknown> }): Promise<{ row: AlertRow; fresh: boolean }> {
  const inserted = await sql<AlertRow[]>`
    insert into tradingview_alerts (strategy_id, account_id, order_id, alert_time, body)
    values (${a.strategyId}, ${a.accountId}, ${a.orderId}, ${a.alertTime}, ${sql.json(a.body as never)})
    on conflict (strategy_id, order_id, alert_time) do nothing
    returning id, strategy_id as "strategyId", account_id as "accountId", order_id as "orderId", alert_time as "alertTime", outcome`;
  if (inserted[0]) return { row: inserted[0], fresh: true };
  const [row] = await sql<AlertRow[]>`
    select id, strategy_id as "strategyId", account_id as "accountId", order_id as "orderId", alert_time as "alertTime", outcome
    from tradingview_alerts where strategy_id = ${a.strategyId} and order_id = ${a.orderId} and alert_time = ${a.alertTime}`;
  return { row: row!, fresh: false };
}

/** The alert was acted on: what it did and the trades it touched. */
export async function recordAlertOutcome(sql: Queryable, id: number, outcome: string, tradeIds: string[]): Promise<void> {
  await sql`update tradingview_alerts set outcome = ${outcome}, trade_ids = ${tradeIds}, acted_at = now() where id = ${id} and outcome is null`;
}

export interface HeldTrade {
  id: string;
  workflowId: string;
  side: Side;
  status: TradeStatus;
}

/**
 * The strategy's trades in the symbol that hold or may come to hold a position, and are not
 * already on their way out (EXITING trades are closing: they hold nothing an alert can act on).
 */
export async function heldTradesOfStrategy(sql: Queryable, accountId: string, strategyId: string, symbol: string, exchange: string): Promise<HeldTrade[]> {
  return sql<HeldTrade[]>`
    select id, workflow_id as "workflowId", side, status from trades
    where account_id = ${accountId} and strategy = ${strategyId} and symbol = ${symbol} and exchange = ${exchange}
      and status in ('PENDING', 'OPEN') order by created_at`;
}
