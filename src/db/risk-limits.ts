/**
 * Queries of the run-time risk limits: overrides over the RISK_* defaults, and the loosening
 * requests waiting for a second admin.
 *
 * @module
 */
import { effectiveLimits, type RiskLimits } from '../domain/risk/limits.ts';
import type { Queryable } from './pool.ts';

export async function limitOverrides(sql: Queryable, accountId: string): Promise<Partial<RiskLimits>> {
  const [row] = await sql<{ limits: Partial<RiskLimits> }[]>`select limits from risk_limit_overrides where account_id = ${accountId}`;
  return row?.limits ?? {};
}

/**
 * The limits in force for the account: its run-time overrides over `defaults` (the RISK_*
 * settings, which the caller reads). The one place the two are merged.
 *
 * @example
 * const limits = await accountLimits(tx, accountId, defaultRiskLimits(config));
 */
export async function accountLimits(sql: Queryable, accountId: string, defaults: RiskLimits): Promise<RiskLimits> {
  return effectiveLimits(defaults, await limitOverrides(sql, accountId));
}

export async function writeLimitOverrides(sql: Queryable, accountId: string, limits: Partial<RiskLimits>, by: string): Promise<void> {
  await sql`
    insert into risk_limit_overrides (account_id, limits, updated_at, updated_by) values (${accountId}, ${sql.json(limits as never)}, now(), ${by})
    on conflict (account_id) do update set limits = excluded.limits, updated_at = now(), updated_by = excluded.updated_by`;
}

export interface LimitChange {
  id: number;
  accountId: string;
  oldLimits: RiskLimits;
  newLimits: Partial<RiskLimits>;
  requestedBy: string;
  requestedAt: Date;
  status: 'PENDING' | 'APPROVED' | 'REJECTED' | 'APPLIED';
  decidedBy: string | null;
  decidedAt: Date | null;
}

const selectChange = (sql: Queryable) => sql`
  select id, account_id as "accountId", old_limits as "oldLimits", new_limits as "newLimits", requested_by as "requestedBy",
    requested_at as "requestedAt", status, decided_by as "decidedBy", decided_at as "decidedAt"
  from risk_limit_changes`;

export async function insertLimitChange(sql: Queryable, accountId: string, oldLimits: RiskLimits, newLimits: Partial<RiskLimits>, by: string): Promise<LimitChange> {
  const [row] = await sql<{ id: number }[]>`
    insert into risk_limit_changes (account_id, old_limits, new_limits, requested_by)
    values (${accountId}, ${sql.json(oldLimits as never)}, ${sql.json(newLimits as never)}, ${by}) returning id`;
  const change = await getLimitChange(sql, row!.id);
  return change!;
}

export async function getLimitChange(sql: Queryable, id: number, lock = false): Promise<LimitChange | undefined> {
  const [row] = await sql<LimitChange[]>`${selectChange(sql)} where id = ${id} ${lock ? sql`for update` : sql``}`;
  return row;
}

export async function pendingLimitChanges(sql: Queryable, accountId: string): Promise<LimitChange[]> {
  return sql<LimitChange[]>`${selectChange(sql)} where account_id = ${accountId} and status = 'PENDING' order by id`;
}

export async function decideLimitChange(sql: Queryable, id: number, status: 'APPLIED' | 'REJECTED', by: string): Promise<void> {
  await sql`update risk_limit_changes set status = ${status}, decided_by = ${by}, decided_at = now() where id = ${id}`;
}
