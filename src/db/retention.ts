/**
 * Retention of operational rows: expired security state is purged; closed trades past the
 * retention period (five years by default, SEBI record keeping) are archived to a file with
 * their orders, fills and reservation, then removed.
 *
 * @module
 */
import { createWriteStream } from 'node:fs';
import { mkdir, rename } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import type { Sql } from './pool.ts';

export interface SecurityPurge {
  refreshTokens: number;
  sessions: number;
  loginFailures: number;
  ipBlocks: number;
  rateLimits: number;
}

/** Remove security rows that ended more than `days` ago (and rate-limit rows already expired). */
export async function purgeSecurityRows(sql: Sql, days: number): Promise<SecurityPurge> {
  const before = new Date(Date.now() - days * 86_400_000);
  return sql.begin(async (tx) => {
    const ended = tx`select id from sessions where coalesce(revoked_at, absolute_expires_at) < ${before}`;
    const refreshTokens = await tx`delete from refresh_tokens where session_id in (${ended}) or coalesce(used_at, revoked_at) < ${before}`;
    const sessions = await tx`delete from sessions where coalesce(revoked_at, absolute_expires_at) < ${before}`;
    const loginFailures = await tx`delete from login_failures where at < ${before}`;
    const ipBlocks = await tx`delete from ip_blocks where expires_at < ${before}`;
    const rateLimits = await tx`delete from rate_limits where expire < ${Date.now()}`;
    return { refreshTokens: refreshTokens.count, sessions: sessions.count, loginFailures: loginFailures.count, ipBlocks: ipBlocks.count, rateLimits: rateLimits.count };
  }) as Promise<SecurityPurge>;
}

/** Archive (gzipped JSONL) and remove trades that ended before `cutoff`; returns how many and where. */
export async function archiveTradesBefore(sql: Sql, dir: string, cutoff: Date, maxTrades = 10_000): Promise<{ trades: number; file?: string }> {
  return sql.begin(async (tx) => {
    const trades = await tx<{ id: string }[]>`
      select id from trades where status in ('CLOSED', 'REJECTED', 'CANCELLED', 'FAILED') and coalesce(closed_at, updated_at) < ${cutoff}
      order by coalesce(closed_at, updated_at) limit ${maxTrades} for update`;
    if (!trades.length) return { trades: 0 };
    const ids = trades.map((t) => t.id);
    const rows = await tx`
      select t.*, (select coalesce(json_agg(o.*), '[]') from orders o where o.trade_id = t.id) as orders,
        (select coalesce(json_agg(f.*), '[]') from fills f where f.trade_id = t.id) as fills,
        (select row_to_json(r.*) from reservations r where r.trade_id = t.id) as reservation
      from trades t where t.id in ${tx(ids)} order by t.created_at`;
    await mkdir(dir, { recursive: true });
    const file = path.join(dir, `trades-archive-${cutoff.toISOString().slice(0, 10)}-${Date.now()}.jsonl.gz`);
    await pipeline(Readable.from(rows.map((r) => `${JSON.stringify(r)}\n`)), createGzip(), createWriteStream(`${file}.partial`, { mode: 0o640 }));
    await rename(`${file}.partial`, file);
    await tx`delete from fills where trade_id in ${tx(ids)}`;
    await tx`delete from orders where trade_id in ${tx(ids)}`;
    await tx`delete from reservations where trade_id in ${tx(ids)}`;
    await tx`delete from trades where id in ${tx(ids)}`;
    return { trades: ids.length, file };
  }) as Promise<{ trades: number; file?: string }>;
}
