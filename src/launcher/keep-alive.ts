/**
 * Keeps a server the launcher started (embedded PostgreSQL, the Temporal dev server) running: when
 * its process dies, it is said out loud and started again on the same data and port, retrying with
 * a growing delay until it is back. The worker and the API reconnect by themselves. `stop()` ends
 * the watch first, so the server's own shutdown is not taken for a death.
 *
 * @module
 */
import type { ChildProcess } from 'node:child_process';
import type { Logger } from '../config/logger.ts';

export interface RestartableServer {
  readonly process: ChildProcess;
  restart(): Promise<void>;
  stop(): Promise<void>;
}

export interface KeptAlive {
  stop(): Promise<void>;
}

const FIRST_RETRY_MS = 1000;
const MAX_RETRY_MS = 15_000;

/**
 * Watch `server` and restart it whenever its process exits.
 *
 * @example
 * const pg = keepAlive('embedded PostgreSQL', await startEmbeddedPostgres(options), log);
 * stops.push(() => pg.stop());
 */
export function keepAlive(name: string, server: RestartableServer, log: Logger): KeptAlive {
  let stopping = false;
  let wake: (() => void) | undefined;
  const pause = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });

  const bringBack = async () => {
    for (let attempt = 1, delay = FIRST_RETRY_MS; !stopping; attempt++, delay = Math.min(delay * 2, MAX_RETRY_MS)) {
      try {
        await server.restart();
        if (stopping) return void (await server.stop());
        log.info({ server: name, pid: server.process.pid, attempt }, `${name} restarted`);
        watch();
        return;
      } catch (err) {
        if (stopping) return;
        log.warn({ server: name, attempt, retryInMs: delay, err: err instanceof Error ? err.message : String(err) }, `${name} did not restart; trying again in ${delay / 1000}s`);
        await pause(delay);
      }
    }
  };

  const watch = () => {
    const child = server.process;
    child.once('exit', (code, signal) => {
      if (stopping) return;
      log.error({ server: name, pid: child.pid, code, signal }, `${name} exited unexpectedly (${signal ?? `code ${code}`}); restarting it on the same data`);
      void bringBack();
    });
  };
  watch();

  return {
    stop: async () => {
      stopping = true;
      wake?.();
      await server.stop();
    },
  };
}
