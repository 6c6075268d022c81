/**
 * Queries of the `strategies` registry and of a strategy's own share of the book (its trades are
 * stamped with the strategy at their reservation). The default strategy is not a row
 * (src/domain/strategy.ts).
 *
 * @module
 */
import type { RiskLimits } from '../domain/risk/limits.ts';
import type { ReservedExposure } from '../domain/risk/rules.ts';
import type { Strategy, StrategyState } from '../domain/strategy.ts';
import { partialGross } from './trades.ts';
import type { Queryable } from './pool.ts';

const columns = (sql: Queryable) => sql`
  id, account_id as "accountId", name, algo_id as "algoId", limits, state, state_reason as "stateReason",
  state_changed_at as "stateChangedAt", state_changed_by as "stateChangedBy", created_by as "createdBy", created_at as "createdAt"`;

export interface NewStrategy {
  id: string;
  accountId: string;
  name: string;
  algoId: string;
  limits: Partial<RiskLimits>;
  createdBy: string;
}

/** Insert the strategy; false when the account already has one of that name. */
export async function insertStrategy(sql: Queryable, s: NewStrategy): Promise<boolean> {
  const rows = await sql`
    insert into strategies (id, account_id, name, algo_id, limits, created_by)
    values (${s.id}, ${s.accountId}, ${s.name}, ${s.algoId}, ${sql.json(s.limits as never)}, ${s.createdBy})
    on conflict (account_id, name) do nothing
    returning id`;
  return rows.length === 1;
}

export async function listStrategies(sql: Queryable, accountId: string): Promise<Strategy[]> {
  return sql<Strategy[]>`select ${columns(sql)} from strategies where account_id = ${accountId} order by created_at, id`;
}

export async function getStrategy(sql: Queryable, accountId: string, id: string): Promise<Strategy | undefined> {
  const [row] = await sql<Strategy[]>`select ${columns(sql)} from strategies where account_id = ${accountId} and id = ${id}`;
  return row;
}

export async function strategyByName(sql: Queryable, accountId: string, name: string): Promise<Strategy | undefined> {
  const [row] = await sql<Strategy[]>`select ${columns(sql)} from strategies where account_id = ${accountId} and name = ${name}`;
  return row;
}

/** Turn the strategy's kill switch on or off. */
export async function writeStrategyState(sql: Queryable, accountId: string, id: string, state: StrategyState, reason: string | null, by: string): Promise<void> {
  await sql`
    update strategies set state = ${state}, state_reason = ${reason}, state_changed_at = now(), state_changed_by = ${by}
    where account_id = ${accountId} and id = ${id}`;
}

/** Trades of the strategy that hold or may come to hold a position (its kill switch's targets). */
export async function liveTradesOfStrategy(sql: Queryable, accountId: string, strategyId: string): Promise<{ id: string; workflowId: string; status: string }[]> {
  return sql<{ id: string; workflowId: string; status: string }[]>`
    select id, workflow_id as "workflowId", status from trades
    where account_id = ${accountId} and strategy = ${strategyId} and status in ('PENDING', 'OPEN', 'EXITING') order by created_at`;
}

export interface StrategyShare {
  /** Ids of the strategy's open and exiting trades. */
  openTradeIds: Set<string>;
  reservations: ReservedExposure[];
  realizedTodayPaise: number;
  ordersLastSecond: number;
}

/** The strategy's own share of the account's book (read inside the reservation, under the account lock). */
export async function strategyShare(sql: Queryable, accountId: string, strategyId: string, dayStart: Date, now: Date): Promise<StrategyShare> {
  const [open, reservations, realized, recent] = await Promise.all([
    sql<{ id: string }[]>`select id from trades where account_id = ${accountId} and strategy = ${strategyId} and status in ('OPEN', 'EXITING')`,
    sql<ReservedExposure[]>`
      select r.instrument_key as "instrumentKey", r.quantity, r.notional_paise as "notionalPaise"
      from reservations r join trades t on t.id = r.trade_id
      where r.account_id = ${accountId} and r.status = 'ACTIVE' and t.strategy = ${strategyId}`,
    sql<{ total: number }[]>`
      select coalesce(sum(case when status = 'CLOSED' then realized_pnl_paise else ${partialGross(sql)} end), 0)::int8 as total from trades
      where account_id = ${accountId} and strategy = ${strategyId}
        and ((status = 'CLOSED' and closed_at >= ${dayStart}) or (status in ('OPEN', 'EXITING') and exited_quantity > 0 and updated_at >= ${dayStart}))`,
    sql<{ n: number }[]>`
      select count(*)::int8 as n from reservations r join trades t on t.id = r.trade_id
      where r.account_id = ${accountId} and t.strategy = ${strategyId} and r.created_at > ${new Date(now.getTime() - 1000)}`,
  ]);
  return {
    openTradeIds: new Set(open.map((r) => r.id)),
    reservations,
    realizedTodayPaise: realized[0]?.total ?? 0,
    ordersLastSecond: recent[0]?.n ?? 0,
  };
}

/** Replace the strategy's webhook token (its SHA-256 only); false when there is no such strategy. */
export async function setWebhookTokenHash(sql: Queryable, accountId: string, id: string, tokenHash: string): Promise<boolean> {
  const rows = await sql`update strategies set webhook_token_hash = ${tokenHash} where account_id = ${accountId} and id = ${id} returning id`;
  return rows.length === 1;
}

/** The strategy whose webhook token hashes to `tokenHash`, with the stored hash for a constant-time compare. */
export async function strategyByTokenHash(sql: Queryable, tokenHash: string): Promise<(Strategy & { webhookTokenHash: string }) | undefined> {
  const [row] = await sql<(Strategy & { webhookTokenHash: string })[]>`
    select ${columns(sql)}, webhook_token_hash as "webhookTokenHash" from strategies where webhook_token_hash = ${tokenHash}`;
  return row;
}
