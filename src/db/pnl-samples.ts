/**
 * Intraday P&L samples (`pnl_samples`), written by the alert evaluator on each run and drawn by
 * the console against the daily loss limit.
 *
 * @module
 */
import type { Queryable } from './pool.ts';

export interface PnlSample {
  at: Date;
  realizedPaise: number;
  unrealizedPaise: number;
}

export async function recordPnlSample(sql: Queryable, accountId: string, sample: PnlSample): Promise<void> {
  await sql`
    insert into pnl_samples (account_id, at, realized_paise, unrealized_paise)
    values (${accountId}, ${sample.at}, ${sample.realizedPaise}, ${sample.unrealizedPaise})
    on conflict (account_id, at) do nothing`;
}

export async function pnlSamplesSince(sql: Queryable, accountId: string, since: Date): Promise<PnlSample[]> {
  return sql<PnlSample[]>`
    select at, realized_paise as "realizedPaise", unrealized_paise as "unrealizedPaise"
    from pnl_samples where account_id = ${accountId} and at >= ${since} order by at`;
}

/** Drop samples older than `before` (the chart shows one day; a few are kept for context). */
export async function prunePnlSamples(sql: Queryable, before: Date): Promise<void> {
  await sql`delete from pnl_samples where at < ${before}`;
}
