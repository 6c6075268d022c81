/**
 * What the launcher checks before it starts anything, so that a setting no restart can fix ends
 * the start at once with one line naming it (rather than a child restarted forever): the data
 * directory is not another launcher's, the first admin's password meets the policy, and every
 * port this launch will listen on is free.
 *
 * @module
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { type Config, ConfigError } from '../config.ts';
import type { PortName } from '../config/sections/ports.ts';
import { passwordProblems } from '../security/passwords.ts';

type Issue = { variable: string; message: string };

/** True when nothing listens on `port` of `host`. */
export function portIsFree(port: number, host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, host, () => server.close(() => resolve(true)));
  });
}

/** The ports this launch will listen on, by the setting that chose each. */
export function launcherPorts(config: Pick<Config, 'ports' | 'database' | 'temporal' | 'process'>): { name: PortName; port: number; host: string }[] {
  const { ports, process: proc } = config;
  const used: { name: PortName; port: number; host: string }[] = [{ name: 'PORT', port: ports.PORT, host: proc.HOST }];
  if (ports.WORKER_HTTP_PORT > 0) used.push({ name: 'WORKER_HTTP_PORT', port: ports.WORKER_HTTP_PORT, host: proc.HOST });
  if (!config.database.DATABASE_URL) used.push({ name: 'EMBEDDED_PG_PORT', port: ports.EMBEDDED_PG_PORT, host: '127.0.0.1' });
  if (!config.temporal.TEMPORAL_ADDRESS) {
    used.push({ name: 'TEMPORAL_PORT', port: ports.TEMPORAL_PORT, host: '127.0.0.1' }, { name: 'TEMPORAL_UI_PORT', port: ports.TEMPORAL_UI_PORT, host: '127.0.0.1' });
  }
  return used;
}

async function portIssues(config: Config): Promise<Issue[]> {
  const used = launcherPorts(config);
  const issues: Issue[] = [];
  for (const [i, { name, port, host }] of used.entries()) {
    const twin = used.slice(0, i).find((u) => u.port === port);
    if (twin) issues.push({ variable: name, message: `${port} is also ${twin.name}: give each its own port` });
    else if (!(await portIsFree(port, host))) issues.push({ variable: name, message: `${port} is in use (set ${name} or PORT_OFFSET)` });
  }
  return issues;
}

function passwordIssues(config: Config): Issue[] {
  const { ADMIN_PASSWORD, ADMIN_USERNAME, PASSWORD_MIN_LENGTH } = config.security;
  const problems = passwordProblems(ADMIN_PASSWORD, ADMIN_USERNAME, PASSWORD_MIN_LENGTH);
  return problems.length ? [{ variable: 'ADMIN_PASSWORD', message: `does not meet the password policy: ${problems.map((p) => p.detail).join('; ')}` }] : [];
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as { code?: string }).code === 'EPERM';
  }
}

/**
 * Claim DATA_DIR for this launcher (DATA_DIR/launcher.pid, released when the process exits): two
 * launchers on one data directory would run two PostgreSQL servers on one cluster.
 */
export function lockDataDir(dataDir: string): void {
  mkdirSync(dataDir, { recursive: true });
  const file = path.join(dataDir, 'launcher.pid');
  try {
    writeFileSync(file, String(process.pid), { flag: 'wx' });
  } catch {
    const holder = Number(readFileSync(file, 'utf8'));
    if (Number.isInteger(holder) && holder > 0 && holder !== process.pid && alive(holder)) {
      throw new ConfigError([{
        variable: 'DATA_DIR',
        message: `${dataDir} is in use by another launcher (pid ${holder}): set PORT_OFFSET for a second copy (its own ports and ./data-<offset>), or DATA_DIR (remove ${file} if no launcher runs)`,
      }]);
    }
    writeFileSync(file, String(process.pid)); // left by a launcher that was killed
  }
  process.once('exit', () => {
    try {
      if (readFileSync(file, 'utf8') === String(process.pid)) rmSync(file);
    } catch {
      // already gone
    }
  });
}

/** Every setting that would stop this launch, together in one ConfigError (one line). */
export async function preflight(config: Config): Promise<void> {
  lockDataDir(config.dataDir);
  const issues = [...passwordIssues(config), ...(await portIssues(config))];
  if (issues.length) throw new ConfigError(issues);
}
