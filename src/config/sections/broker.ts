/**
 * The broker: paper or Breeze Connect (ICICI Direct), and the shared budget of broker calls.
 * Limits: docs/breeze-api.md#rate-limits; SEBI/NSE 10 orders a second for unregistered algos (docs/indian-market.md#sebi-retail-algo-rules).
 */
import { z } from 'zod';
import { int } from '../schema.ts';

export const brokerSettings = z.object({
  BROKER: z.enum(['paper', 'breeze']).default('paper').describe('Broker: the paper exchange or Breeze Connect'),
  BREEZE_APP_KEY: z.string().optional().describe('Breeze AppKey (the API key of the app registered with ICICI); required with BROKER=breeze'),
  BREEZE_SECRET_KEY: z.string().optional().describe('Breeze secret key, used only to compute request checksums; required with BROKER=breeze'),
  BREEZE_API_SESSION: z.string().optional().describe("The day's API_Session from ICICI's browser login, exchanged at first use when no session is stored for the day"),
  BREEZE_BASE_URL: z
    .url()
    // endpoints resolve against it (new URL('order', base)): without the trailing slash 'v1' would be replaced
    .transform((u) => (u.endsWith('/') ? u : `${u}/`))
    .default('https://api.icicidirect.com/breezeapi/api/v1/').describe('Base URL of the Breeze REST API v1 (the emulator in tests)'),
  BREEZE_LIVE_STREAM_URL: z.url().default('https://livestream.icicidirect.com').describe("Breeze's Socket.IO server for quotes (docs/breeze-api.md#streaming-servers; the emulator in tests)"),
  BREEZE_LIVE_FEEDS_URL: z.url().default('https://livefeeds.icicidirect.com').describe("Breeze's Socket.IO server for order notifications (docs/breeze-api.md#streaming-servers)"),
  BREEZE_SECURITY_MASTER: z.string().optional().describe("Comma-separated paths of ICICI security master files (NSEScripMaster.txt…) mapping symbols to ICICI stock codes"),
  BREEZE_TIMEOUT_MS: int(100).max(29_000).default(10_000).describe('Longest wait for one Breeze answer; an order action that times out is settled by its tag'),
  STOP_LIMIT_BUFFER_BPS: int(1).max(1000).default(50).describe('Protective stops rest as stop-limit orders (Breeze has no stop-market): their limit is this far past the trigger, in basis points; a stop chased after a gap is priced this far past the last price'),
  BROKER_MAX_ORDERS_PER_SECOND: int(1).max(10).default(10).describe('Order actions (place, modify, cancel, square-off) per second across all workers; Breeze allows 10'),
  BROKER_CALLS_PER_MINUTE: int(1).default(100).describe('Broker API calls per minute across all workers; Breeze allows 100'),
  BROKER_CALLS_PER_DAY: int(1).default(5000).describe('Broker API calls per IST day across all workers; Breeze allows 5000'),
  BROKER_ORDER_RESERVE_PER_MINUTE: int(0).default(20).describe('Broker calls a minute kept for placing, settling and cancelling orders: status polls, quotes and reconciliation stop short of them'),
  BROKER_ORDER_RESERVE_PER_DAY: int(0).default(500).describe('Broker calls a day kept for order actions in the same way'),
  BROKER_RATE_WAIT_MS: int(0).default(3000).describe('Longest a broker call waits for a slot in the shared budget before failing as unavailable'),
  BROKER_FUNDS_REFRESH_S: int(1).default(60).describe("Live funds check: the broker's funds are read at most once in this many seconds per account, shared by every worker (each F&O entry also asks the margin calculator once)"),
  BROKER_SESSION_RETRY_S: int(1).default(60).describe('Delay between retries of an order action refused for an expired broker session (trading reduces to exits meanwhile)'),
}).describe('The broker: paper or Breeze Connect (ICICI Direct), and the shared budget of broker calls');
export type BrokerSettings = z.infer<typeof brokerSettings>;
