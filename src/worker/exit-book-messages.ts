/**
 * What the worker's main thread and its exit book's thread say to each other
 * (./exit-book-thread.ts, ./exit-book-thread-entry.ts). Everything crosses by structured clone.
 *
 * @module
 */
import type { Quote } from '../broker/types.ts';
import type { Config } from '../config.ts';
import type { ExitTrigger } from '../domain/exit-triggers.ts';
import type { Instrument } from '../domain/trade.ts';

export interface ExitBookThreadData {
  config: Config;
  /** The main thread's log level: the thread logs as the worker does (silent in tests). */
  logLevel: Config['process']['LOG_LEVEL'];
  /** Tell trades of their resting orders' changes (the paper exchange announces every one; exit-book.ts). */
  announceOrderChanges: boolean;
}

export type FromBook =
  | { type: 'ready' }
  /** A REST quote of a stale instrument, through the worker's one rationed budget (quote-ration.ts). */
  | { type: 'quote'; id: number; instrument: Instrument }
  /** A tick decided a crossing `seconds` after its own time (tick_to_exit_decision_seconds). */
  | { type: 'decided'; trigger: ExitTrigger; seconds: number }
  /** The book watches (or no longer watches) an instrument: the worker's own feed does too, so the paper walk moves it and its prices are recorded. */
  | { type: 'watch'; instrument: Instrument }
  | { type: 'unwatch'; instrument: Instrument };

export type ToBook =
  | { type: 'quote'; id: number; quote?: Quote | undefined; error?: string | undefined }
  | { type: 'close' };
