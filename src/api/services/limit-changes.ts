/**
 * Changing risk limits with maker-checker: tightening applies at once; loosening waits for a
 * second admin's approval. Every change is audited with old and new values.
 *
 * @module
 */
import type { AuditLog } from '../../audit/append.ts';
import type { Actor } from '../../audit/events.ts';
import { lockAccount } from '../../db/accounts.ts';
import { apiKeyById } from '../../db/api-keys.ts';
import type { Sql, TxSql } from '../../db/pool.ts';
import { accountLimits, decideLimitChange, getLimitChange, insertLimitChange, type LimitChange, limitOverrides, writeLimitOverrides } from '../../db/risk-limits.ts';
import { transaction } from '../../db/transaction.ts';
import { ConflictError, NotFoundError, PermissionError } from '../../domain/errors.ts';
import { loosenedKeys, type RiskLimits, RISK_LIMIT_KEYS } from '../../domain/risk/limits.ts';

export interface LimitChangeOutcome {
  limits: RiskLimits;
  applied: Partial<RiskLimits>;
  pending?: LimitChange | undefined;
}

export interface LimitChangeDeps {
  sql: Sql;
  audit: AuditLog;
  /** The RISK_* settings: the limits of an account without overrides. */
  defaults: RiskLimits;
}

/** Write `changes` over the overrides and audit what changed from `before` (the limits in force until now). */
async function apply(tx: TxSql, ctx: LimitChangeDeps, accountId: string, before: RiskLimits, changes: Partial<RiskLimits>, actor: Actor, requestId: string | undefined, approvedBy?: string): Promise<RiskLimits> {
  await writeLimitOverrides(tx, accountId, { ...(await limitOverrides(tx, accountId)), ...changes }, `${actor.type}:${actor.id}`);
  const after = await accountLimits(tx, accountId, ctx.defaults);
  const keys = RISK_LIMIT_KEYS.filter((k) => before[k] !== after[k]);
  await ctx.audit.append(tx, {
    type: 'CONFIG_CHANGED',
    actor,
    accountId,
    requestId,
    payload: { setting: 'risk_limits', old: Object.fromEntries(keys.map((k) => [k, before[k]])), new: Object.fromEntries(keys.map((k) => [k, after[k]])), approvedBy },
  });
  return after;
}

export async function requestLimitChange(ctx: LimitChangeDeps, accountId: string, proposed: Partial<RiskLimits>, actor: Actor, requestId?: string): Promise<LimitChangeOutcome> {
  return transaction(ctx.sql, async (tx) => {
    await lockAccount(tx, accountId);
    const current = await accountLimits(tx, accountId, ctx.defaults);
    const loosened = loosenedKeys(current, proposed);
    const tightened = Object.fromEntries(RISK_LIMIT_KEYS.filter((k) => proposed[k] !== undefined && !loosened.includes(k) && proposed[k] !== current[k]).map((k) => [k, proposed[k]])) as Partial<RiskLimits>;
    const limits = Object.keys(tightened).length ? await apply(tx, ctx, accountId, current, tightened, actor, requestId) : current;
    if (!loosened.length) return { limits, applied: tightened };
    const wanted = Object.fromEntries(loosened.map((k) => [k, proposed[k]])) as Partial<RiskLimits>;
    const pending = await insertLimitChange(tx, accountId, limits, wanted, `${actor.type}:${actor.id}`);
    await ctx.audit.append(tx, {
      type: 'CONFIG_CHANGE_REQUESTED',
      actor,
      accountId,
      requestId,
      payload: { setting: 'risk_limits', changeId: pending.id, old: Object.fromEntries(loosened.map((k) => [k, limits[k]])), new: wanted, needs: 'approval by a second admin' },
    });
    return { limits, applied: tightened, pending };
  });
}

/** The usernames behind a `type:id` actor string (a key's maker is a username or another key's id). */
async function peopleBehind(tx: TxSql, actor: string): Promise<string[]> {
  const colon = actor.indexOf(':');
  const [type, id] = [actor.slice(0, colon), actor.slice(colon + 1)];
  if (type === 'user') return [id];
  const key = type === 'api_key' ? await apiKeyById(tx, id) : undefined;
  if (!key) return [];
  const maker = (await apiKeyById(tx, key.createdBy)) ? `api_key:${key.createdBy}` : `user:${key.createdBy}`;
  return [key.username, ...(await peopleBehind(tx, maker))];
}

export async function decideOnLimitChange(ctx: LimitChangeDeps, accountId: string, id: number, approve: boolean, actor: Actor, requestId?: string): Promise<LimitChangeOutcome> {
  return transaction(ctx.sql, async (tx) => {
    await lockAccount(tx, accountId);
    const change = await getLimitChange(tx, id, true);
    if (!change || change.accountId !== accountId) throw new NotFoundError(`limit change ${id}`);
    if (change.status !== 'PENDING') throw new ConflictError('change-decided', `Limit change ${id} is already ${change.status}`);
    // Maker-checker is about people: the checker is a logged-in admin who is none of the people
    // behind the request (an API key stands for the user it acts for and whoever made it).
    if (actor.type !== 'user') throw new PermissionError('A loosening of limits is decided by a logged-in admin, not an API key', 'maker-checker');
    if ((await peopleBehind(tx, change.requestedBy)).includes(actor.id)) throw new PermissionError('A second admin must decide on a loosening of limits', 'maker-checker');
    const by = `${actor.type}:${actor.id}`;
    await decideLimitChange(tx, id, approve ? 'APPLIED' : 'REJECTED', by);
    if (!approve) {
      await ctx.audit.append(tx, { type: 'CONFIG_CHANGE_REJECTED', actor, accountId, requestId, payload: { setting: 'risk_limits', changeId: id, requestedBy: change.requestedBy } });
      return { limits: await accountLimits(tx, accountId, ctx.defaults), applied: {} };
    }
    const limits = await apply(tx, ctx, accountId, await accountLimits(tx, accountId, ctx.defaults), change.newLimits, actor, requestId, by);
    return { limits, applied: change.newLimits };
  });
}
