/**
 * Queries of `users` and `login_failures`.
 *
 * @module
 */
import type { Role } from '../domain/roles.ts';
import type { FailureCounts } from '../domain/lockout.ts';
import type { Queryable } from './pool.ts';

export interface UserRow {
  id: string;
  username: string;
  passwordHash: string;
  role: Role;
  accountId: string;
  disabled: boolean;
  lockCount: number;
  /** Failed logins before this are not counted any more (last success or last lock for every address). */
  failuresSince: Date;
  lockedUntil: Date | null;
  passwordChangedAt: Date;
  createdAt: Date;
  createdBy: string;
}

const selectUser = (sql: Queryable) => sql`
  select id, username, password_hash as "passwordHash", role, account_id as "accountId", disabled,
    lock_count as "lockCount", locked_until as "lockedUntil", failures_since as "failuresSince",
    password_changed_at as "passwordChangedAt", created_at as "createdAt", created_by as "createdBy"
  from users`;

export async function userByName(sql: Queryable, username: string, lock = false): Promise<UserRow | undefined> {
  const [row] = await sql<UserRow[]>`${selectUser(sql)} where username = ${username} ${lock ? sql`for update` : sql``}`;
  return row;
}

export async function userById(sql: Queryable, id: string, lock = false): Promise<UserRow | undefined> {
  if (!/^[0-9a-f-]{36}$/i.test(id)) return undefined;
  const [row] = await sql<UserRow[]>`${selectUser(sql)} where id = ${id} ${lock ? sql`for update` : sql``}`;
  return row;
}

export async function countUsers(sql: Queryable): Promise<number> {
  const [row] = await sql<{ n: number }[]>`select count(*)::int8 as n from users`;
  return row?.n ?? 0;
}

export async function listUsers(sql: Queryable, accountId: string): Promise<UserRow[]> {
  return sql<UserRow[]>`${selectUser(sql)} where account_id = ${accountId} order by username`;
}

export async function insertUser(
  sql: Queryable,
  u: { username: string; passwordHash: string; role: Role; accountId: string; createdBy: string },
): Promise<UserRow | undefined> {
  const rows = await sql<{ id: string }[]>`
    insert into users (username, password_hash, role, account_id, created_by)
    values (${u.username}, ${u.passwordHash}, ${u.role}, ${u.accountId}, ${u.createdBy})
    on conflict (username) do nothing returning id`;
  return rows[0] ? userById(sql, rows[0].id) : undefined;
}

export async function updateUser(sql: Queryable, id: string, fields: { role?: Role; disabled?: boolean; passwordHash?: string }): Promise<void> {
  await sql`
    update users set
      role = coalesce(${fields.role ?? null}, role),
      disabled = coalesce(${fields.disabled ?? null}, disabled),
      password_hash = coalesce(${fields.passwordHash ?? null}, password_hash),
      password_changed_at = case when ${fields.passwordHash ?? null}::text is null then password_changed_at else now() end,
      updated_at = now()
    where id = ${id}`;
}

/**
 * The enabled admins of an account, locked for the rest of the transaction: a change that could
 * leave none takes these first, so two admins demoting each other at once cannot both succeed.
 */
export async function lockEnabledAdmins(sql: Queryable, accountId: string): Promise<string[]> {
  const rows = await sql<{ id: string }[]>`
    select id from users where account_id = ${accountId} and role = 'admin' and not disabled order by id for update`;
  return rows.map((r) => r.id);
}

/** Lock the account for every address (failures came from several), for longer each time. */
export async function lockAccountEverywhere(sql: Queryable, id: string, baseS: number, maxS: number): Promise<Date> {
  const [row] = await sql<{ lockedUntil: Date }[]>`
    update users set
      locked_until = now() + least(${baseS} * power(2, lock_count), ${maxS}) * interval '1 second',
      lock_count = lock_count + 1,
      failures_since = now(),
      updated_at = now()
    where id = ${id}
    returning locked_until as "lockedUntil"`;
  if (!row) throw new Error(`user ${id} does not exist`);
  return row.lockedUntil;
}

/** A successful login: earlier failures no longer count, and the lock escalation starts over. */
export async function clearFailedLogins(sql: Queryable, id: string): Promise<void> {
  await sql`update users set lock_count = 0, locked_until = null, failures_since = now() where id = ${id}`;
}

/**
 * Failed logins against `username` since `since` (and within the last day) whose password was
 * checked, from `clientIp` and from every address.
 */
export async function loginFailureCounts(sql: Queryable, username: string, clientIp: string, since: Date): Promise<FailureCounts> {
  const rows = await sql<{ clientIp: string; n: number; times: Date[] }[]>`
    select client_ip as "clientIp", count(*)::int8 as n, array_agg(at order by at) as times from login_failures
    where username = ${username.slice(0, 64)} and password_checked and at > greatest(${since}::timestamptz, now() - interval '1 day')
    group by client_ip`;
  return {
    fromSource: rows.find((r) => r.clientIp === clientIp)?.times ?? [],
    total: rows.reduce((sum, r) => sum + r.n, 0),
    worstSource: Math.max(0, ...rows.map((r) => r.n)),
  };
}

/** Record a failed attempt; returns the attempts that failed from `clientIp` in the last hour (for the block list). */
export async function insertLoginFailure(sql: Queryable, username: string, clientIp: string, passwordChecked: boolean): Promise<number> {
  await sql`insert into login_failures (username, client_ip, password_checked) values (${username.slice(0, 64)}, ${clientIp}, ${passwordChecked})`;
  const [row] = await sql<{ n: number }[]>`
    select count(*)::int8 as n from login_failures where client_ip = ${clientIp} and at > now() - interval '1 hour'`;
  return row?.n ?? 0;
}
