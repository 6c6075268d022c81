/**
 * The broker this deployment trades through (BROKER): the paper exchange by default, or Breeze
 * Connect (ICICI Direct).
 *
 * @module
 */
import type { Config } from '../config.ts';
import type { Sql } from '../db/pool.ts';
import { BreezeClient } from './breeze/client.ts';
import { createBreezeClient } from './breeze/create.ts';
import { PaperExchange } from './paper/exchange.ts';
import type { RateBudget } from './rate-limit/store.ts';
import type { Broker } from './types.ts';

export function createBroker(config: Pick<Config, 'broker' | 'redis' | 'paper' | 'market'>, sql: Sql): Broker {
  switch (config.broker.BROKER) {
    case 'paper':
      return new PaperExchange({
        sql,
        marketHours: config.market.MARKET_HOURS,
        slippageBps: config.paper.PAPER_SLIPPAGE_BPS,
        randomWalk: config.paper.PAPER_RANDOM_WALK,
        seed: config.paper.PAPER_SEED,
      });
    case 'breeze':
      return createBreezeClient({ config, sql });
  }
}

/** What is left of the broker's shared call budget: Breeze counts its calls, the paper exchange has none. */
export function rateBudgetOf(broker: object): (() => Promise<RateBudget | undefined>) | undefined {
  return broker instanceof BreezeClient ? () => broker.remainingBudget() : undefined;
}
