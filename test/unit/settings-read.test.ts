import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { settings } from '../../src/config/settings.ts';

/** The code that runs: src/ and the entries (tools/ holds the Breeze emulator), less the catalogue and its docs. */
function codeFiles(): string[] {
  const roots = ['src', 'scripts', 'tools'].filter((dir) => existsSync(dir));
  const nested = roots.flatMap((dir) => readdirSync(dir, { recursive: true, encoding: 'utf8' }).map((f) => path.join(dir, f)));
  const catalogue = (f: string) => f === path.join('src', 'config', 'settings.ts') || f === path.join('src', 'config', 'docs.ts') || f.startsWith(path.join('src', 'config', 'sections'));
  return [...nested, 'worker.ts', 'api.ts', 'start.ts'].filter((f) => f.endsWith('.ts') && !catalogue(f));
}

describe('settings', () => {
  // A documented setting that nothing reads promises the operator a knob that does nothing
  // (ORDER_POLL_MS did: the trade workflow polls at a fixed interval).
  it('are each read by some code outside the catalogue (as `<section>.NAME`)', () => {
    const code = codeFiles()
      .map((f) => readFileSync(f, 'utf8'))
      .join('\n');
    const unread = Object.keys(settings).filter((name) => !new RegExp(`\\.${name}\\b`).test(code));
    expect(unread).toEqual([]);
  });
});
