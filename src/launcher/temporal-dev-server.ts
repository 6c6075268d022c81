/**
 * The Temporal CLI dev server (`temporal server start-dev`): a real Temporal server in one process,
 * persisted in a SQLite file so workflows survive a restart, with the Web UI.
 *
 * @module
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import { searchAttributeFlags } from '../workflows/search-attributes.ts';
import { endWithParent } from './end-with-parent.ts';

export interface DevServerOptions {
  binary: string;
  port: number;
  /** Web UI port; `undefined` runs headless. */
  uiPort?: number | undefined;
  /** SQLite file; `undefined` keeps everything in memory. */
  dbFile?: string | undefined;
  namespace: string;
  /** Trade durability for speed (tests only): SQLite `synchronous=OFF`. */
  fast?: boolean;
  onOutput?: (line: string) => void;
}

export interface RunningDevServer {
  address: string;
  /** The server process now running (a new one after each restart). */
  readonly process: ChildProcess;
  /** Start the server again on the same port and database file, after its process died. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

/** Flags the system needs from any dev server: update-with-start and our search attributes. */
export function devServerFlags(options: Pick<DevServerOptions, 'fast'>): string[] {
  return [
    '--dynamic-config-value', 'frontend.enableExecuteMultiOperation=true',
    '--dynamic-config-value', 'frontend.enableUpdateWorkflowExecution=true',
    '--dynamic-config-value', 'frontend.enableUpdateWorkflowExecutionAsyncAccepted=true',
    // WAL lets readers and the writer work at once; the dev server is slow without it.
    '--sqlite-pragma', 'journal_mode=WAL',
    '--sqlite-pragma', `synchronous=${options.fast ? 'OFF' : 'NORMAL'}`,
    ...searchAttributeFlags(),
  ];
}

export async function startDevServer(options: DevServerOptions): Promise<RunningDevServer> {
  const args = ['server', 'start-dev', '--ip', '127.0.0.1', '--port', String(options.port), '--namespace', options.namespace, '--log-level', 'warn'];
  if (options.dbFile) {
    mkdirSync(path.dirname(options.dbFile), { recursive: true });
    args.push('--db-filename', options.dbFile);
  }
  if (options.uiPort) args.push('--ui-port', String(options.uiPort));
  else args.push('--headless');
  args.push(...devServerFlags(options));

  const address = `127.0.0.1:${options.port}`;
  const output: string[] = [];
  const onData = (chunk: Buffer) => {
    for (const line of chunk.toString('utf8').split('\n').filter(Boolean)) {
      output.push(line);
      if (output.length > 30) output.shift();
      options.onOutput?.(line);
    }
  };
  const serve = async (): Promise<ChildProcess> => {
    // Its own process group, so a terminal's Ctrl-C leaves it to the launcher to stop (after the worker).
    const child = spawn(options.binary, args, { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    endWithParent(child, 'SIGTERM');
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    const exited = new Promise<never>((_, reject) =>
      child.once('exit', (code, signal) => reject(new Error(`temporal dev server exited (${signal ?? `code ${code}`}): ${output.slice(-5).join(' | ')}`))),
    );
    exited.catch(() => {}); // later exits are the supervisor's business
    try {
      await Promise.race([waitForTemporal(address, 60_000), exited]);
    } catch (err) {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      throw err;
    }
    return child;
  };
  let child = await serve();

  return {
    address,
    get process() {
      return child;
    },
    restart: async () => {
      child = await serve();
    },
    stop: () => {
      const current = child;
      return new Promise<void>((resolve) => {
        if (current.exitCode !== null || current.signalCode !== null) return resolve();
        const force = setTimeout(() => current.kill('SIGKILL'), 10_000);
        current.once('exit', () => {
          clearTimeout(force);
          resolve();
        });
        current.kill('SIGTERM');
      });
    },
  };
}

/** Poll until the frontend answers a health check. */
export async function waitForTemporal(address: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      const connection = await Connection.connect({ address, connectTimeout: 2000 });
      try {
        await connection.healthService.check({});
        return;
      } finally {
        await connection.close();
      }
    } catch (err) {
      lastError = err;
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  throw new Error(`Temporal at ${address} did not answer within ${timeoutMs / 1000}s: ${String(lastError)}`);
}
