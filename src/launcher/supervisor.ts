/**
 * Keeps the worker and API processes running: a child that dies is restarted (with backoff, and
 * said out loud), and `stop()` ends them all cleanly. A child that ends with the configuration
 * error exit code is not restarted (no restart fixes a setting): `onConfigError` decides.
 *
 * @module
 */
import { type ChildProcess, spawn } from 'node:child_process';
import type { Logger } from '../config/logger.ts';
import { CONFIG_ERROR_EXIT_CODE } from '../config/startup-error.ts';
import { endWithParent } from './end-with-parent.ts';

export interface ChildSpec {
  name: string;
  command: string;
  args: string[];
  env: NodeJS.ProcessEnv;
}

interface Supervised {
  spec: ChildSpec;
  process?: ChildProcess;
  restarts: number;
  startedAt: number;
  timer?: NodeJS.Timeout;
}

const MAX_BACKOFF_MS = 30_000;
/** A child that stayed up this long counts as healthy again: its backoff resets. */
const HEALTHY_AFTER_MS = 60_000;

export class Supervisor {
  private readonly children = new Map<string, Supervised>();
  private stopping = false;
  private readonly log: Logger;
  private readonly onConfigError: (name: string) => void;

  constructor(log: Logger, onConfigError: (name: string) => void) {
    this.log = log;
    this.onConfigError = onConfigError;
  }

  start(spec: ChildSpec): void {
    const entry: Supervised = { spec, restarts: 0, startedAt: Date.now() };
    this.children.set(spec.name, entry);
    this.launch(entry);
  }

  /** The pid of a running child (tests kill children to see them come back). */
  pid(name: string): number | undefined {
    return this.children.get(name)?.process?.pid;
  }

  private launch(entry: Supervised): void {
    const { spec } = entry;
    entry.startedAt = Date.now();
    // Its own process group: a Ctrl-C at the terminal reaches the launcher alone, which stops the
    // children itself, in order (these first, then Temporal, then PostgreSQL).
    const child = spawn(spec.command, spec.args, { env: spec.env, stdio: ['ignore', 'inherit', 'inherit'], detached: true });
    endWithParent(child, 'SIGTERM');
    entry.process = child;
    this.log.info({ child: spec.name, pid: child.pid }, `${spec.name} started`);
    child.once('exit', (code, signal) => {
      if (this.stopping) return;
      if (code === CONFIG_ERROR_EXIT_CODE) {
        this.log.error({ child: spec.name, code }, `${spec.name} stopped on a configuration error (above); not restarting it`);
        this.onConfigError(spec.name);
        return;
      }
      if (Date.now() - entry.startedAt > HEALTHY_AFTER_MS) entry.restarts = 0;
      const delay = Math.min(1000 * 2 ** entry.restarts, MAX_BACKOFF_MS);
      entry.restarts++;
      this.log.warn(
        { child: spec.name, code, signal, restartInMs: delay, restarts: entry.restarts },
        `${spec.name} exited unexpectedly (${signal ?? `code ${code}`}); restarting in ${delay / 1000}s`,
      );
      entry.timer = setTimeout(() => this.launch(entry), delay);
    });
  }

  /** SIGTERM every child, wait for them (SIGKILL after `graceMs`). */
  async stop(graceMs = 20_000): Promise<void> {
    this.stopping = true;
    await Promise.all(
      [...this.children.values()].map(async (entry) => {
        clearTimeout(entry.timer);
        const child = entry.process;
        if (!child || child.exitCode !== null || child.signalCode !== null) return;
        await new Promise<void>((resolve) => {
          const force = setTimeout(() => {
            this.log.warn({ child: entry.spec.name }, `${entry.spec.name} did not stop in time; killing it`);
            child.kill('SIGKILL');
          }, graceMs);
          child.once('exit', () => {
            clearTimeout(force);
            resolve();
          });
          child.kill('SIGTERM');
        });
        this.log.info({ child: entry.spec.name }, `${entry.spec.name} stopped`);
      }),
    );
  }
}
