/**
 * Queries of `users` and `login_failures`.
 *
 * @module
 */
import type { Role } from '../security/principal.ts';
import type { Queryable } from './pool.ts';

export interface UserRow {
  id: string;
  username: string;
  passwordHash: string;
  role: Role;
  accountId: string;
  disabled: boolean;
  failedLogins: number;
  lockCount: number;
  lockedUntil: Date | null;
  passwordChangedAt: Date;
  createdAt: Date;
  createdBy: string;
}

const selectUser = (sql: Queryable) => sql`
  select id, username, password_hash as "passwordHash", role, account_id as "accountId", disabled,
    failed_logins as "failedLogins", lock_count as "lockCount", locked_until as "lockedUntil",
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

/** Record a failed login against the account: returns the new lock (if this failure locked it). */
export async function recordFailedLogin(
  sql: Queryable,
  id: string,
  threshold: number,
  baseS: number,
  maxS: number,
): Promise<{ locked: boolean; lockedUntil: Date | null; failedLogins: number }> {
  const [row] = await sql<{ failedLogins: number; lockedUntil: Date | null; lockCount: number }[]>`
    update users set
      failed_logins = case when failed_logins + 1 >= ${threshold} then 0 else failed_logins + 1 end,
      lock_count = case when failed_logins + 1 >= ${threshold} then lock_count + 1 else lock_count end,
      locked_until = case when failed_logins + 1 >= ${threshold}
        then now() + least(${baseS} * power(2, lock_count), ${maxS}) * interval '1 second'
        else locked_until end,
      updated_at = now()
    where id = ${id}
    returning failed_logins as "failedLogins", locked_until as "lockedUntil", lock_count as "lockCount"`;
  const locked = row !== undefined && row.failedLogins === 0 && row.lockedUntil !== null && row.lockedUntil.getTime() > Date.now() - 1000;
  return { locked, lockedUntil: row?.lockedUntil ?? null, failedLogins: row?.failedLogins ?? 0 };
}

export async function clearFailedLogins(sql: Queryable, id: string): Promise<void> {
  await sql`update users set failed_logins = 0, lock_count = 0, locked_until = null where id = ${id}`;
}

export async function insertLoginFailure(sql: Queryable, username: string, clientIp: string): Promise<number> {
  await sql`insert into login_failures (username, client_ip) values (${username.slice(0, 64)}, ${clientIp})`;
  const [row] = await sql<{ n: number }[]>`
    select count(*)::int8 as n from login_failures where client_ip = ${clientIp} and at > now() - interval '1 hour'`;
  return row?.n ?? 0;
}
