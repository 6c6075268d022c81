import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { expect, it } from 'vitest';

/** A parent that starts `sleep` in a process group of its own, prints its pid and exits at once. */
function parentStartingSleep(tied: boolean): number {
  const script = `
    import { spawn } from 'node:child_process';
    import { endWithParent } from ${JSON.stringify(path.resolve('src/launcher/end-with-parent.ts'))};
    const child = spawn('sleep', ['60'], { detached: true, stdio: 'ignore' });
    ${tied ? "endWithParent(child, 'SIGTERM');" : ''}
    console.log(child.pid);
    process.exit(0);`;
  const run = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8' });
  expect(run.status, run.stderr).toBe(0);
  return Number(run.stdout.trim());
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

async function until(check: () => boolean, ms: number): Promise<boolean> {
  for (const end = Date.now() + ms; Date.now() < end; await new Promise((r) => setTimeout(r, 50))) if (check()) return true;
  return check();
}

it("ends a launcher's own-group child when the launcher exits, which it would otherwise outlive", async () => {
  const loose = parentStartingSleep(false);
  try {
    expect(alive(loose)).toBe(true); // in its own group, nothing ends it
  } finally {
    process.kill(loose, 'SIGKILL');
  }
  const tied = parentStartingSleep(true);
  expect(await until(() => !alive(tied), 2000)).toBe(true);
});
