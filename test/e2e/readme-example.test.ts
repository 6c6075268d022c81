/**
 * The README's "A trade, end to end" example, run as written with bash, curl and node against the
 * API over HTTP (its `API` and `DATA_DIR` pointing at this test's stack): the first ten minutes of
 * a new user must work on a plain Debian machine.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { type ServerType, serve } from '@hono/node-server';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startStack, type TestStack } from '../support/stack.ts';
import { freePort } from '../support/ports.ts';

let stack: TestStack;
let server: ServerType | undefined;
let port: number;

beforeAll(async () => {
  stack = await startStack();
  port = await freePort();
  server = serve({ fetch: stack.app.fetch, port, hostname: '127.0.0.1' });
});
afterAll(async () => {
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  await stack?.stop();
});

/** The first sh block after "A trade, end to end" in README.md. */
function readmeExample(): string {
  const readme = readFileSync('README.md', 'utf8');
  const from = readme.indexOf('A trade, end to end');
  const block = /```sh\n([\s\S]*?)```/.exec(readme.slice(from));
  if (from < 0 || !block) throw new Error('README.md has no "A trade, end to end" example');
  return block[1]!;
}

it('runs the README example as written: log in, enter, positions, exit, closed, timeline', async () => {
  const script = readmeExample();
  expect(script).not.toMatch(/\b(uuidgen|jq)\b/);
  const env = { PATH: process.env.PATH, HOME: process.env.HOME, API: `http://127.0.0.1:${port}`, DATA_DIR: stack.config.dataDir };
  const { code, stdout, stderr } = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = execFile('bash', ['-e', '-o', 'pipefail', '-c', script], { env, timeout: 60_000 }, (err, stdout, stderr) => resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr }));
    child.stdin?.end();
  });
  expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
  const lines = stdout.trim().split('\n');
  expect(JSON.parse(lines[1]!)).toMatchObject({ positions: [{ symbol: 'RELIANCE', status: 'OPEN', quantity: 10 }] });
  expect(lines[3]).toBe('CLOSED');
  const timeline = JSON.parse(lines[4]!) as { events: { type: string }[] };
  expect(timeline.events.map((e) => e.type)).toEqual(expect.arrayContaining(['TRADE_REQUESTED', 'TRADE_ENTERED', 'TRADE_EXIT_REQUESTED', 'TRADE_EXITED']));
});
