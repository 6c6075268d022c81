/**
 * Queries of `api_keys`.
 *
 * @module
 */
import type { Role, Scope } from '../domain/roles.ts';
import type { Queryable } from './pool.ts';

export interface ApiKeyRow {
  id: string;
  prefix: string;
  keyHash: string;
  name: string;
  userId: string;
  username: string;
  role: Role;
  accountId: string;
  userDisabled: boolean;
  scopes: Scope[];
  cidrs: string[];
  webhookSecret: string | null;
  createdAt: Date;
  revokedAt: Date | null;
  lastUsedAt: Date | null;
  lastUsedIp: string | null;
  /** Who made the key (a username, or the id of the key that made it). */
  createdBy: string;
}

const selectKey = (sql: Queryable) => sql`
  select k.id, k.prefix, k.key_hash as "keyHash", k.name, k.user_id as "userId", u.username, u.role,
    u.account_id as "accountId", u.disabled as "userDisabled", k.scopes, k.cidrs, k.webhook_secret as "webhookSecret",
    k.created_at as "createdAt", k.revoked_at as "revokedAt", k.last_used_at as "lastUsedAt", k.last_used_ip as "lastUsedIp",
    k.created_by as "createdBy"
  from api_keys k join users u on u.id = k.user_id`;

export async function apiKeyByPrefix(sql: Queryable, prefix: string): Promise<ApiKeyRow | undefined> {
  const [row] = await sql<ApiKeyRow[]>`${selectKey(sql)} where k.prefix = ${prefix}`;
  return row;
}

export async function apiKeyById(sql: Queryable, id: string): Promise<ApiKeyRow | undefined> {
  if (!/^[0-9a-f-]{36}$/i.test(id)) return undefined;
  const [row] = await sql<ApiKeyRow[]>`${selectKey(sql)} where k.id = ${id}`;
  return row;
}

export async function listApiKeys(sql: Queryable, accountId: string): Promise<ApiKeyRow[]> {
  return sql<ApiKeyRow[]>`${selectKey(sql)} where u.account_id = ${accountId} order by k.created_at desc`;
}

export async function insertApiKey(
  sql: Queryable,
  k: { prefix: string; keyHash: string; name: string; userId: string; scopes: Scope[]; cidrs: string[]; webhookSecret: string | null; createdBy: string },
): Promise<string> {
  const [row] = await sql<{ id: string }[]>`
    insert into api_keys (prefix, key_hash, name, user_id, scopes, cidrs, webhook_secret, created_by)
    values (${k.prefix}, ${k.keyHash}, ${k.name}, ${k.userId}, ${k.scopes}, ${k.cidrs}, ${k.webhookSecret}, ${k.createdBy}) returning id`;
  return row!.id;
}

export async function revokeApiKey(sql: Queryable, id: string): Promise<boolean> {
  const rows = await sql`update api_keys set revoked_at = now() where id = ${id} and revoked_at is null returning id`;
  return rows.length === 1;
}

export async function markApiKeyUsed(sql: Queryable, id: string, ip: string): Promise<void> {
  await sql`update api_keys set last_used_at = now(), last_used_ip = ${ip} where id = ${id}`;
}
