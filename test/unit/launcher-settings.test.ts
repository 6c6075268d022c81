import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/config.ts';
import { lockDataDir, preflight } from '../../src/launcher/preflight.ts';
import { parseSettings } from '../support/config.ts';
import { freePort } from '../support/ports.ts';

const issuesOf = async (work: () => unknown) => {
  try {
    await work();
  } catch (err) {
    if (err instanceof ConfigError) return err.issues;
    throw err;
  }
  return [];
};

describe('PORT_OFFSET', () => {
  it('moves every default port and DATA_DIR of a second copy, and leaves ports set explicitly alone', () => {
    const config = parseSettings({ PORT_OFFSET: '10', TEMPORAL_PORT: '7000' });
    expect(config.ports).toMatchObject({ PORT: 8010, WORKER_HTTP_PORT: 9475, EMBEDDED_PG_PORT: 5443, TEMPORAL_PORT: 7000, TEMPORAL_UI_PORT: 8243, BREEZE_EMULATOR_PORT: 8800 });
    expect(config.dataDir).toBe(path.resolve('data-10'));
    expect(parseSettings({ PORT_OFFSET: '10', DATA_DIR: '/srv/copy' }).dataDir).toBe('/srv/copy');
    expect(parseSettings({}).dataDir).toBe(path.resolve('data'));
  });

  it('names PORT_OFFSET when it would move a port past 65535', async () => {
    expect(await issuesOf(() => parseSettings({ PORT_OFFSET: '60000' }))).toEqual([expect.objectContaining({ variable: 'PORT_OFFSET' })]);
  });
});

describe('the launcher preflight', () => {
  const launchConfig = async (env: Record<string, string> = {}) =>
    parseSettings({ DATA_DIR: mkdtempSync(path.join(tmpdir(), 'bt-pre-')), ADMIN_PASSWORD: 'a long and unusual passphrase', PORT: String(await freePort()), WORKER_HTTP_PORT: '0', DATABASE_URL: 'postgres://x@127.0.0.1:1/x', TEMPORAL_ADDRESS: '127.0.0.1:1', ...env });

  it('names ADMIN_PASSWORD when it contains the user name', async () => {
    const issues = await issuesOf(async () => preflight(await launchConfig({ ADMIN_PASSWORD: 'my-admin-passphrase-42' })));
    expect(issues).toEqual([{ variable: 'ADMIN_PASSWORD', message: expect.stringContaining('must not contain the username') }]);
  });

  it('names the setting of a port in use, and tells how to move it', async () => {
    const busy = createServer();
    await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
    const port = (busy.address() as { port: number }).port;
    try {
      const issues = await issuesOf(async () => preflight(await launchConfig({ WORKER_HTTP_PORT: String(port) })));
      expect(issues).toEqual([{ variable: 'WORKER_HTTP_PORT', message: `${port} is in use (set WORKER_HTTP_PORT or PORT_OFFSET)` }]);
    } finally {
      busy.close();
    }
  });

  it('refuses a DATA_DIR a running launcher holds, and takes over one a dead launcher left', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'bt-lock-'));
    writeFileSync(path.join(dataDir, 'launcher.pid'), String(process.ppid));
    expect(await issuesOf(() => lockDataDir(dataDir))).toEqual([expect.objectContaining({ variable: 'DATA_DIR', message: expect.stringContaining('PORT_OFFSET') })]);
    writeFileSync(path.join(dataDir, 'launcher.pid'), '2147483646');
    expect(await issuesOf(() => lockDataDir(dataDir))).toEqual([]);
  });
});
