/**
 * The request deadline. A request still running after DEPENDENCY_DEADLINE_MS while PostgreSQL or
 * Temporal is not answering (./../readiness/monitor.ts) is answered at once; any request still
 * running after REQUEST_TIMEOUT_MS is answered too. The answer depends on how far the request
 * got (../handover.ts): before its hand-over to Temporal, 503 with Retry-After ("not placed", and
 * the request can no longer be handed over); after it, the "outcome unknown" answer that the
 * error handler gives for every failure of a handed-over request.
 *
 * @module
 */
import type { MiddlewareHandler } from 'hono';
import { AppError } from '../../domain/errors.ts';
import type { AppEnv } from '../context.ts';
import { notPlaced, RequestDeadline } from '../handover.ts';
import type { Part, ReadinessMonitor } from '../readiness/monitor.ts';

export interface DeadlineSettings {
  dependencyDeadlineMs: number;
  requestTimeoutMs: number;
}

/** How long the deadline waits for the parts' cached state before it decides. */
const STATE_WAIT_MS = 400;
const REQUEST_PARTS: readonly Part[] = ['postgres', 'temporal'];

const NAMES: Record<string, string> = { postgres: 'PostgreSQL', temporal: 'Temporal' };

export function requestDeadline(monitor: ReadinessMonitor, settings: DeadlineSettings): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const deadline = new RequestDeadline(async () => ((await monitor.part('temporal', STATE_WAIT_MS))?.state === 'failed' ? 'Temporal' : undefined));
    c.set('deadline', deadline);
    let timer: NodeJS.Timeout | undefined;
    let finished = false;
    const started = Date.now();
    const expired = new Promise<never>((_, reject) => {
      const fail = (message: string, failing: string[]) => {
        if (deadline.expire()) reject(notPlaced(`${message}; nothing was placed, try again shortly`, failing.length ? { unavailable: failing } : undefined));
        else reject(new AppError('dependency-timeout', message, { category: 'dependency', status: 503, retryAfterSeconds: 5 }));
      };
      const atRequestTimeout = () => fail(`The request took longer than ${settings.requestTimeoutMs} ms`, []);
      const atDependencyDeadline = async () => {
        const states = await Promise.all(REQUEST_PARTS.map(async (p) => [p, await monitor.part(p, STATE_WAIT_MS)] as const));
        if (finished) return;
        const failing = states.filter(([, s]) => s?.state === 'failed').map(([p]) => p);
        if (failing.length) return fail(`${failing.map((p) => NAMES[p] ?? p).join(' and ')} not answering`, failing);
        timer = setTimeout(atRequestTimeout, Math.max(0, settings.requestTimeoutMs - (Date.now() - started)));
      };
      timer = settings.dependencyDeadlineMs < settings.requestTimeoutMs ? setTimeout(() => void atDependencyDeadline(), settings.dependencyDeadlineMs) : setTimeout(atRequestTimeout, settings.requestTimeoutMs);
    });
    try {
      await Promise.race([next(), expired]);
    } finally {
      finished = true;
      clearTimeout(timer);
    }
  };
}
