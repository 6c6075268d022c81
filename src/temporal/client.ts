/**
 * One Temporal client per process (connections are expensive and leak when made per request), and
 * the start-up wait for the Temporal frontend.
 *
 * @module
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { Client, Connection } from '@temporalio/client';
import { UnavailableError } from '../domain/errors.ts';
import type { Logger } from '../config/logger.ts';

export interface TemporalSettings {
  address: string;
  namespace: string;
  startupWaitS: number;
}

/** Connect, retrying with backoff for up to `startupWaitS`; the error names the address and the fix. */
export async function connectClient(settings: TemporalSettings, log: Logger): Promise<Client> {
  const deadline = Date.now() + settings.startupWaitS * 1000;
  let delay = 250;
  for (let attempt = 1; ; attempt++) {
    try {
      const connection = await Connection.connect({ address: settings.address, connectTimeout: 5000 });
      return new Client({ connection, namespace: settings.namespace });
    } catch (err) {
      if (Date.now() + delay > deadline) {
        throw new UnavailableError(
          `Temporal at ${settings.address} is not reachable after ${settings.startupWaitS}s: start it, or set TEMPORAL_ADDRESS to a running server`,
          err,
        );
      }
      log.warn({ attempt, address: settings.address }, 'Temporal not reachable yet, retrying');
      await sleep(delay);
      delay = Math.min(delay * 2, 5000);
    }
  }
}

/** Readiness: the frontend answers its health check within `timeoutMs`. */
export async function temporalReady(client: Client, timeoutMs = 2000): Promise<boolean> {
  try {
    const connection = client.connection as Connection;
    await connection.withDeadline(Date.now() + timeoutMs, () => connection.healthService.check({}));
    return true;
  } catch {
    return false;
  }
}
