/** Redis, shared by the API rate limits and the broker budget. */
import { z } from 'zod';

export const redisSettings = z.object({
  REDIS_URL: z.string().optional().describe('Redis for shared rate-limit state: API limits and the broker budget (unset: PostgreSQL)'),
  REDIS_KEY_PREFIX: z.string().max(64).default('breeze-trader:').describe('Prefix of every Redis key this deployment writes'),
}).describe('Redis, shared by the API rate limits and the broker budget');
export type RedisSettings = z.infer<typeof redisSettings>;
