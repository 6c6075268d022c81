/**
 * A real headless Chromium for the console tests: Debian's package, driven by playwright-core (no
 * browser download). `scripts/ensure-chromium.sh` installs it when missing; if that cannot be
 * done the test fails with the script's reason, never skips.
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { type Browser, chromium } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';

export function ensureChromium(): void {
  try {
    execFileSync('sh', [path.resolve('scripts/ensure-chromium.sh')], { stdio: ['ignore', 'pipe', 'pipe'], timeout: 600_000 });
  } catch (err) {
    const stderr = (err as { stderr?: Buffer }).stderr?.toString().trim();
    throw new Error(`Chromium is needed for the console test and could not be installed: ${stderr || (err as Error).message}`);
  }
}

export async function launchChromium(): Promise<Browser> {
  ensureChromium();
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}
