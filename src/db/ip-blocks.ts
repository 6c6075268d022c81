/**
 * Queries of `ip_blocks`: the expiring block list of abusive addresses.
 *
 * @module
 */
import type { Queryable } from './pool.ts';

/** NOTIFY channel announcing a block or lift (API replicas drop their cached answer for the address). */
export const BLOCKS_CHANNEL = 'ip_blocks_changed';

export interface IpBlock {
  ip: string;
  reason: string;
  blockedAt: Date;
  expiresAt: Date;
  blockedBy: string;
}

/** Block (or extend the block of) an address; true when it was not blocked before. */
export async function blockIp(sql: Queryable, ip: string, reason: string, seconds: number, by: string): Promise<boolean> {
  const before = await activeBlock(sql, ip);
  await sql`
    insert into ip_blocks (ip, reason, expires_at, blocked_by) values (${ip}, ${reason}, now() + ${seconds} * interval '1 second', ${by})
    on conflict (ip) do update set reason = excluded.reason,
      blocked_at = case when ip_blocks.expires_at <= now() then now() else ip_blocks.blocked_at end,
      expires_at = greatest(ip_blocks.expires_at, excluded.expires_at), blocked_by = excluded.blocked_by`;
  await sql`select pg_notify(${BLOCKS_CHANNEL}, ${ip})`;
  return !before;
}

export async function activeBlock(sql: Queryable, ip: string): Promise<IpBlock | undefined> {
  const [row] = await sql<IpBlock[]>`
    select ip, reason, blocked_at as "blockedAt", expires_at as "expiresAt", blocked_by as "blockedBy"
    from ip_blocks where ip = ${ip} and expires_at > now()`;
  return row;
}

export async function listBlocks(sql: Queryable): Promise<IpBlock[]> {
  return sql<IpBlock[]>`
    select ip, reason, blocked_at as "blockedAt", expires_at as "expiresAt", blocked_by as "blockedBy"
    from ip_blocks where expires_at > now() order by blocked_at desc`;
}

export async function liftBlock(sql: Queryable, ip: string): Promise<boolean> {
  const rows = await sql`delete from ip_blocks where ip = ${ip} and expires_at > now() returning ip`;
  await sql`select pg_notify(${BLOCKS_CHANNEL}, ${ip})`;
  return rows.length === 1;
}
