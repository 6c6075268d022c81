/**
 * What a started Breeze emulator is and takes: its options, the requests it records, and the handle
 * tests and the control API drive it through. Types only, so server.ts and control.ts both depend
 * on this module instead of on each other.
 *
 * @module
 */
import type { EmuInstrument, EmuQuote, OrderBook } from './book.ts';
import type { Fault } from './faults.ts';
import type { GttBook } from './gtt-book.ts';
import type { EmuAllocation } from './funds.ts';
import type { CallWindows, EmuLimits } from './limits.ts';
import type { EmuInstrumentSpec, SecurityMasterData } from './master.ts';

export interface BreezeEmulatorOptions {
  appKey: string;
  secretKey: string;
  /** 0 or absent: any free port. */
  port?: number;
  host?: string;
  /** API_Sessions valid from the start (one is made up when none is given). */
  apiSessions?: string[];
  userId?: string;
  /** Allowed distance of X-Timestamp from the emulator's clock (the real window is unknown, docs/breeze-api.md#unconfirmed). */
  maxSkewSeconds?: number;
  limits?: Partial<EmuLimits>;
  now?: () => Date;
  /** Instruments beyond (or changing) the built-in security master: tokens, lot and tick sizes. */
  instruments?: EmuInstrumentSpec[];
  /** Ports of the streaming servers; 0 or absent: any free port. */
  liveStreamPort?: number;
  liveFeedsPort?: number;
}

export interface RecordedRequest {
  at: Date;
  method: string;
  endpoint: string;
  /** The body as parsed JSON (or the raw text when it was not JSON). */
  body: unknown;
  /** What happened: the envelope Status, or the fault met. */
  outcome: number | 'timeout' | 'gateway' | 'reset' | 'rate-limit';
}

export interface BreezeEmulator {
  /** Base URL of the v1 API, with the trailing slash (BREEZE_BASE_URL). */
  readonly url: string;
  readonly port: number;
  /** Socket.IO server for quotes (`http://host:port`, the SDK's LIVE_STREAM_URL). */
  readonly liveStreamUrl: string;
  /** Socket.IO server for order notifications (the SDK's LIVE_FEEDS_URL). */
  readonly liveFeedsUrl: string;
  /** The SecurityMaster.zip the SDK downloads (its SECURITY_MASTER_URL). */
  readonly securityMasterUrl: string;
  readonly master: SecurityMasterData;
  /** The first API_Session, ready for customerdetails. */
  readonly apiSession: string;
  readonly requests: RecordedRequest[];
  readonly book: OrderBook;
  /** The GTT orders (gtt-book.ts). */
  readonly gtts: GttBook;
  readonly windows: CallWindows;
  /** Requests to one endpoint with one method, e.g. `sent('POST', 'order')`. */
  sent(method: string, endpoint: string): RecordedRequest[];
  setQuote(instrument: EmuInstrument, quote: Omit<EmuQuote, 'at'>): void;
  /** Set a user's bank balance and segment allocations (the first user unless named; ./funds.ts). */
  setFunds(allocation: Partial<EmuAllocation>, userId?: string): void;
  /** A new browser login: returns its API_Session. */
  login(apiSession?: string): string;
  expireSessions(): void;
  injectFault(fault: Fault): void;
  clearFaults(): void;
  /** Stop listening and drop every connection, streams included (clients get "connection refused" and reconnect later). */
  down(): Promise<void>;
  /** Listen again on the same port. */
  up(): Promise<void>;
  stop(): Promise<void>;
}
