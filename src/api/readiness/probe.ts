/**
 * One part's readiness check, answered from a cache: a check that is still running (a frozen
 * dependency never answers) is not started again, and a reader waits for it only a short while.
 * So a probe of a frozen PostgreSQL or Temporal answers in `waitMs`, naming the part and how long
 * it has not answered, instead of hanging with it.
 *
 * @module
 */

export type PartState = 'ok' | 'failed';

export interface PartReport {
  state: PartState;
  /** Why it failed, or what was found (e.g. the worker count). */
  detail?: string | undefined;
  /** When this answer was found. */
  checkedAt: string;
}

/** A check resolves with an optional detail when the part is fine, and throws (or rejects) when not. */
export type Check = () => Promise<string | undefined>;

export interface Probe {
  read(waitMs: number): Promise<PartReport>;
}

/**
 * @example
 * const pg = cachedProbe(async () => { await sql`select 1`; return undefined; }, 1000);
 * const report = await pg.read(700); // never longer than 700 ms
 */
export function cachedProbe(check: Check, freshMs: number, now: () => number = Date.now): Probe {
  let last: PartReport | undefined;
  let lastAt = 0;
  let inflight: Promise<void> | undefined;
  let startedAt = 0;
  const start = () => {
    startedAt = now();
    inflight = check().then(
      (detail) => {
        last = { state: 'ok', detail, checkedAt: new Date(now()).toISOString() };
      },
      (err: unknown) => {
        last = { state: 'failed', detail: err instanceof Error ? err.message : String(err), checkedAt: new Date(now()).toISOString() };
      },
    ).finally(() => {
      lastAt = now();
      inflight = undefined;
    });
  };
  return {
    async read(waitMs) {
      if (!inflight && (!last || now() - lastAt >= freshMs)) start();
      const running = inflight;
      if (running) {
        let timer: NodeJS.Timeout | undefined;
        const waited = new Promise<void>((resolve) => (timer = setTimeout(resolve, waitMs)));
        await Promise.race([running, waited]);
        clearTimeout(timer);
        if (inflight === running) {
          return { state: 'failed', detail: `no answer for ${now() - startedAt} ms`, checkedAt: new Date(now()).toISOString() };
        }
      }
      return last!;
    },
  };
}

/** Reject after `ms` with "no answer within ms": the deadline of a check that cannot carry its own. */
export function withinMs<T>(ms: number, work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms)));
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}
