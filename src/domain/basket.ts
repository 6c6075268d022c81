/**
 * Baskets: several legs (e.g. the four options of an iron condor) entered as one, all or none.
 * Each leg is a trade of its own; the basket is OPEN once every leg is, REJECTED when the risk
 * manager refuses it before any leg goes out, and FAILED when a leg could not fill (the legs that
 * filled are then exited). Plain data.
 *
 * @module
 */
import type { TradeRequest } from './trade.ts';

export const BASKET_STATUSES = ['PENDING', 'REJECTED', 'OPEN', 'FAILED'] as const;
export type BasketStatus = (typeof BASKET_STATUSES)[number];

/** At most this many legs in one basket. */
export const MAX_BASKET_LEGS = 8;

/** One leg of a basket: its trade's id and request. */
export interface BasketLeg {
  tradeId: string;
  request: TradeRequest;
  requestFingerprint: string;
}
