/**
 * What a live broker tells of money: its funds per segment and the margin it would block for an
 * order or a basket (Breeze: `GET funds` and `POST margincalculator`, docs/breeze-api.md#funds-and-margin).
 * Optional: the paper exchange keeps its funds in our own ledger instead (src/db/funds-ledger.ts).
 *
 * @module
 */
import type { MarginLeg } from '../domain/margin.ts';
import type { Paise } from '../domain/money.ts';
import type { Exchange } from '../domain/trade.ts';
import type { Broker } from './types.ts';

/** The broker's funds, per segment, in paise. */
export interface BrokerFundsSnapshot {
  equityAllocatedPaise: Paise;
  equityBlockedPaise: Paise;
  fnoAllocatedPaise: Paise;
  fnoBlockedPaise: Paise;
  fetchedAt: Date;
}

export interface FundsBroker {
  /** One read of the broker's funds. */
  readFunds(): Promise<BrokerFundsSnapshot>;
  /** One read of the margin the broker would block for these F&O legs of one exchange. */
  marginFor(legs: readonly MarginLeg[], exchange: Exchange): Promise<Paise>;
  /** The broker's code of a symbol (the tick table of a MARKET order's protective limit tells indices by it). */
  stockCodeOf(symbol: string): Promise<string>;
}

/** The broker's funds and margin reads, when it has them. */
export function fundsBrokerOf(broker: Broker): FundsBroker | undefined {
  const b = broker as Partial<FundsBroker>;
  return typeof b.readFunds === 'function' && typeof b.marginFor === 'function' && typeof b.stockCodeOf === 'function' ? (broker as unknown as FundsBroker) : undefined;
}
