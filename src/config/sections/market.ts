/** Market hours, square-off, charges, prices. */
import { z } from 'zod';
import { int, hhmm, chargesJson } from '../schema.ts';

export const marketSettings = z.object({
  MARKET_HOURS: z.enum(['nse', 'always']).default('nse').describe('nse: NSE sessions in IST with holidays; always: open 24x7 and no automatic square-off'),
  SQUARE_OFF_TIME: z.union([hhmm, z.literal('off')]).default('15:15').describe('IST time intraday positions are squared off (off disables it)'),
  CHARGES_SCHEDULE: chargesJson.optional().describe('JSON overriding the charge schedule (brokerage, STT, exchange, SEBI, stamp, GST rates); see src/domain/charges.ts'),
  DEFAULT_TICK_PAISE: int(1).default(5).describe('Tick size of instruments without their own (NSE equity: 5 paise)'),
  QUOTE_MAX_AGE_S: int(1).default(60).describe('A last price older than this is stale: risk checks needing it fail closed'),
  PRICE_STALE_S: int(1).default(10).describe("A streamed price quiet for longer than this is stale: stop-loss and target checks then fall back to the broker's rationed REST quotes"),
}).describe('Market hours, square-off, charges, prices');
export type MarketSettings = z.infer<typeof marketSettings>;
