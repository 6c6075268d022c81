/**
 * The unchanged official Python SDK (breeze-connect, PyPI) against the emulator: login, streaming
 * quotes and depth, order notifications and ws_disconnect, over real Socket.IO
 * (docs/breeze-api.md#streaming). Installs the SDK into .tools/venv on first run (PyPI needed once).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBreezeEmulator } from '../../tools/breeze-emulator/server.ts';
import type { BreezeEmulator } from '../../tools/breeze-emulator/types.ts';
import { ensureBreezeSdk } from '../support/python-sdk.ts';

const SCRIPT = path.join(import.meta.dirname, '../support/breeze_sdk_stream.py');
const RELIND = { exchange: 'NSE', stockCode: 'RELIND', product: 'cash' } as const;

let emulator: BreezeEmulator;
let python: string;
let scratch: string;
beforeAll(async () => {
  python = ensureBreezeSdk();
  scratch = mkdtempSync(path.join(tmpdir(), 'breeze-sdk-'));
  emulator = await startBreezeEmulator({ appKey: 'sdk-app-key', secretKey: 'sdk-secret' });
}, 600_000);
afterAll(async () => {
  await emulator?.stop();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

type Events = Record<string, unknown>;

/** Run the SDK script, moving RELIANCE's price every 200 ms while it runs; its JSON lines by kind. */
async function runSdk(): Promise<Events> {
  const child = spawn(python, [SCRIPT], {
    cwd: scratch,
    env: {
      ...process.env,
      NO_PROXY: '127.0.0.1,localhost',
      EMU_API_URL: emulator.url,
      EMU_MASTER_URL: emulator.securityMasterUrl,
      EMU_STREAM_URL: emulator.liveStreamUrl,
      EMU_FEEDS_URL: emulator.liveFeedsUrl,
      EMU_APP_KEY: 'sdk-app-key',
      EMU_SECRET_KEY: 'sdk-secret',
      EMU_API_SESSION: emulator.apiSession,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const events: Events = {};
  const stderr: string[] = [];
  child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk.toString()));
  let ltp = 245000;
  const mover = setInterval(() => emulator.setQuote(RELIND, { ltpPaise: (ltp += 5) }), 200);
  const killer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  try {
    for await (const line of createInterface({ input: child.stdout })) {
      try {
        Object.assign(events, JSON.parse(line) as Events);
      } catch {
        // not one of the script's lines (the SDK prints little, but never mind)
      }
    }
    const code = await new Promise<number | null>((resolve) => (child.exitCode !== null ? resolve(child.exitCode) : child.once('exit', resolve)));
    if (code !== 0) throw new Error(`SDK script exited ${code}: ${JSON.stringify(events)}\n${stderr.join('')}`);
    return events;
  } finally {
    clearInterval(mover);
    clearTimeout(killer);
  }
}

describe('the official Python SDK (breeze-connect) against the emulator', () => {
  it('logs in, streams quotes and depth by stock code, gets order notifications, and stops on ws_disconnect', async () => {
    const events = await runSdk();
    expect(events.session).toEqual({ user_id: 'EMU00001' });
    expect(events.subscribed).toEqual({ message: 'Stock RELIND subscribed successfully' });
    expect(events.quote).toMatchObject({ symbol: '4.1!2885', exchange: 'NSE Equity', quotes: 'Quotes Data', stock_name: 'RELIANCE INDUSTRIES', last: expect.any(Number) as number });
    expect((events.quote as { ltt: string }).ltt).toMatch(/\d{2}:\d{2}:\d{2} \d{4}$/);
    expect(events.depth).toMatchObject({ symbol: '4.2!2885', quotes: 'Market Depth' });
    expect((events.depth as { depth: unknown[] }).depth).toHaveLength(5);
    expect(events.placed).toMatchObject({ Status: 200, Success: { order_id: expect.stringMatching(/^\d{8}N\d{9}$/) as string } });
    const orderId = (events.placed as { Success: { order_id: string } }).Success.order_id;
    expect(events.order).toMatchObject({ orderReference: orderId, stockCode: 'RELIND', orderFlow: 'Buy', orderStatus: 'Executed', productType: 'Cash' });
    expect(events.after_disconnect).toBe(0);
    expect(events.done).toBe(true);
  }, 120_000);
});
