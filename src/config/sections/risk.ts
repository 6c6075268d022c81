/** Risk limits and the circuit breaker. */
import { z } from 'zod';
import { int, rupees } from '../schema.ts';

export const riskSettings = z.object({
  RISK_MAX_POSITION_QUANTITY: int(1).default(1800).describe('Largest position in one instrument, in units'),
  RISK_MAX_OPEN_POSITIONS: int(1).default(3).describe('Positions open or pending at once'),
  RISK_DAILY_LOSS_LIMIT: rupees.default(50000).describe('Realized plus unrealized loss of the IST day that halts trading, in rupees'),
  DAILY_LOSS_ACTION: z.enum(['flatten', 'reduce']).default('flatten').describe('When realized plus unrealized loss reaches the daily limit with positions open: reduce to exits only and flatten the book, or only reduce'),
  RISK_MAX_CONCENTRATION: z.coerce.number().gt(0).max(1).default(0.4).describe('Largest fraction of capital in one position'),
  RISK_MAX_TRADE_VALUE: rupees.default(100000).describe('Largest value of one order, in rupees'),
  RISK_MAX_ORDERS_PER_SECOND: int(1).default(8).describe('Entry orders per second per account (SEBI unregistered-algo threshold is 10)'),
  RISK_PRICE_BAND: z.coerce.number().gt(0).max(1).default(0.05).describe('Largest distance of a limit price from the last price, as a fraction'),
  BREAKER_BROKER_FAILURES: int(1).default(5).describe('Broker failures within the window that trip the circuit breaker'),
  BREAKER_BROKER_FAILURE_WINDOW_S: int(1).default(300).describe('Window of the broker-failure trip, in seconds'),
  BREAKER_LOSS_STREAK: int(0).default(3).describe('Consecutive losing trades that start a cool-down halt (0 = off)'),
  BREAKER_LOSS_COOLDOWN_S: int(0).default(1800).describe('Length of the cool-down halt after a losing streak, in seconds'),
}).describe('Risk limits and the circuit breaker');
export type RiskSettings = z.infer<typeof riskSettings>;
