/**
 * The broker this deployment trades through (BROKER): the paper exchange by default.
 *
 * @module
 */
import type { Config } from '../config.ts';
import type { Sql } from '../db/pool.ts';
import { PaperExchange } from './paper/exchange.ts';
import type { Broker } from './types.ts';

export function createBroker(config: Config, sql: Sql): Broker {
  switch (config.BROKER) {
    case 'paper':
      return new PaperExchange({
        sql,
        marketHours: config.MARKET_HOURS,
        slippageBps: config.PAPER_SLIPPAGE_BPS,
        randomWalk: config.PAPER_RANDOM_WALK,
        seed: config.PAPER_SEED,
      });
    case 'breeze':
      throw new Error('BROKER=breeze is not available in this build');
  }
}
