/**
 * A real worker process (`worker.ts`, the production entry) for tests that kill it: it shares the
 * test stack's database, Temporal server and task queue, and uses the prebuilt workflow bundle.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { inject } from 'vitest';
import type { TestStack } from './stack.ts';

export interface WorkerProcess {
  child: ChildProcess;
  output: () => string;
  /** Resolves with the signal or exit code once the process is gone. */
  exited: Promise<string>;
  stop(): Promise<void>;
}

export function spawnWorker(stack: TestStack, settings: Record<string, string> = {}): WorkerProcess {
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    NODE_ENV: 'test',
    DATABASE_URL: stack.db.url,
    DATABASE_ADMIN_URL: stack.db.adminUrl,
    TEMPORAL_ADDRESS: inject('temporalAddress'),
    TEMPORAL_TASK_QUEUE: stack.config.temporal.TEMPORAL_TASK_QUEUE,
    WORKFLOW_BUNDLE_PATH: inject('workflowBundlePath'),
    WORKER_HTTP_PORT: '0',
    DATA_DIR: stack.config.dataDir,
    MARKET_HOURS: 'always',
    PAPER_RANDOM_WALK: 'false',
    LOG_LEVEL: 'warn',
    LOG_FORMAT: 'json',
    PRICE_STALE_S: '10',
    ...stack.brokerSettings,
    ...settings,
  };
  const child = spawn(process.execPath, ['--import', 'tsx', path.resolve('worker.ts')], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<string>((resolve) => child.once('exit', (code, signal) => resolve(signal ?? `code ${code}`)));
  return {
    child,
    output: () => out,
    exited,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
