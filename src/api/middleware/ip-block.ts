/**
 * Refuses addresses on the block list. Lookups are cached for a few seconds per address; a block
 * or a lift anywhere is announced with NOTIFY, and every replica drops its cached answer at once.
 *
 * @module
 */
import type { MiddlewareHandler } from 'hono';
import { activeBlock, BLOCKS_CHANNEL, type IpBlock } from '../../db/ip-blocks.ts';
import type { Sql } from '../../db/pool.ts';
import { AppError } from '../../domain/errors.ts';
import type { AppEnv } from '../context.ts';

const CACHE_MS = 5_000;

export interface BlockList {
  middleware: MiddlewareHandler<AppEnv>;
  /** Drop the cached answer for an address (it was just blocked or lifted). */
  invalidate(ip: string): void;
  close(): Promise<void>;
}

export async function blockList(sql: Sql): Promise<BlockList> {
  const cache = new Map<string, { block: IpBlock | undefined; at: number }>();
  const listening = await sql.listen(BLOCKS_CHANNEL, (ip) => cache.delete(ip)).catch(() => undefined);
  return {
    invalidate: (ip) => void cache.delete(ip),
    close: async () => {
      await listening?.unlisten();
    },
    middleware: async (c, next) => {
      const ip = c.get('clientIp');
      const now = Date.now();
      let entry = cache.get(ip);
      if (!entry || now - entry.at > CACHE_MS) {
        entry = { block: await activeBlock(sql, ip), at: now };
        cache.set(ip, entry);
        if (cache.size > 100_000) cache.clear();
      }
      if (entry.block && entry.block.expiresAt.getTime() > now) {
        throw new AppError('ip-blocked', 'This address is blocked for abuse; try again later', {
          category: 'permission',
          status: 403,
          severity: 'HIGH',
          retryAfterSeconds: Math.ceil((entry.block.expiresAt.getTime() - now) / 1000),
        });
      }
      await next();
    },
  };
}
