/**
 * The line between "not placed" and "placed or unknown" in one request. A route that places
 * orders calls {@link RequestDeadline.handOver} just before it hands the request to Temporal: from
 * then on no answer of this request may say "not placed" (a 503), because the trade may exist. Before
 * it, the request deadline may answer 503 at any moment, and then `handOver` refuses, so a request
 * already answered "not placed" never places anything afterwards.
 *
 * @module
 */
import type { Context } from 'hono';
import { AppError } from '../domain/errors.ts';

/** What a client is told when the outcome of a handed-over request is not known. */
export interface HandOver {
  /** The trade's id, when the request is about one trade. */
  tradeId?: string | undefined;
  /** Where the outcome can be read (`Location`). */
  location?: string | undefined;
  /** How to retry safely. */
  retry: string;
  /** More members of the answer (e.g. the workflow id, the signal id). */
  extra?: Record<string, unknown> | undefined;
}

export const NOT_PLACED_RETRY_AFTER_S = 5;

export class RequestDeadline {
  readonly #controller = new AbortController();
  #handOver: HandOver | undefined;

  readonly #preflight: (() => Promise<string | undefined>) | undefined;

  /** `preflight` names the dependency that is down (the request must not start), if any. */
  constructor(preflight?: () => Promise<string | undefined>) {
    this.#preflight = preflight;
  }

  /** Aborted once this request was answered "not placed" (503). */
  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  get handedOver(): HandOver | undefined {
    return this.#handOver;
  }

  /**
   * Mark the request as handed to Temporal, just before the call that may start something. Throws
   * the 503 "not placed" when a dependency is known to be down (nothing is started then), or when
   * the request was already answered so.
   */
  async handOver(handOver: HandOver): Promise<void> {
    const down = await this.#preflight?.();
    if (down && this.expire()) throw notPlaced(`${down} not answering; nothing was placed, try again shortly`, { unavailable: [down] });
    if (this.signal.aborted) throw notPlaced('The request was not placed: it ran out of time before it reached the workflow engine');
    this.#handOver = handOver;
  }

  /** The request is answered "not placed": it must never be handed over after this. Returns false when it already was handed over. */
  expire(): boolean {
    if (this.#handOver) return false;
    this.#controller.abort();
    return true;
  }
}

/** 503 with Retry-After: nothing was placed; retrying (with the same key or a new one) is safe. */
export function notPlaced(message: string, extensions?: Record<string, unknown>, cause?: unknown): AppError {
  return new AppError('service-unavailable', message, {
    category: 'dependency',
    status: 503,
    severity: 'HIGH',
    retryable: true,
    retryAfterSeconds: NOT_PLACED_RETRY_AFTER_S,
    extensions: { ...extensions, outcome: 'not-placed' },
    cause,
  });
}

/**
 * The answer for a request handed to Temporal whose outcome is not known (a dependency stopped
 * answering after the hand-over): 202 Accepted, not a 5xx, so no client or proxy reads it as "not
 * placed" and retries with a new key (RFC 9110 §15.3.3: accepted, processing not complete).
 */
export function outcomeUnknown(c: Context, handOver: HandOver, reason: string): Response {
  if (handOver.location) c.header('Location', handOver.location);
  c.header('Retry-After', String(NOT_PLACED_RETRY_AFTER_S));
  return c.json(
    {
      ...(handOver.tradeId ? { id: handOver.tradeId } : {}),
      ...handOver.extra,
      outcome: 'unknown',
      detail: `The request reached the workflow engine but its outcome is not known yet (${reason}). ${handOver.retry}`,
      retry: handOver.retry,
    },
    202,
  );
}
