import { io, type Socket } from 'socket.io-client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { decodeSessionToken } from '../../src/broker/breeze/signing.ts';
import type { EmuInstrument } from '../../tools/breeze-emulator/book.ts';
import { startBreezeEmulator } from '../../tools/breeze-emulator/server.ts';
import type { BreezeEmulator } from '../../tools/breeze-emulator/types.ts';
import { sessionTokenOf, signedCall } from '../support/breeze-wire.ts';

const RELIND: EmuInstrument = { exchange: 'NSE', stockCode: 'RELIND', product: 'cash' };
const NIFTY_FUT: EmuInstrument = { exchange: 'NFO', stockCode: 'NIFTY', product: 'futures', expiry: '2026-12-29' };

let emulator: BreezeEmulator;
let auth: { user: string; token: string };
let sessionToken: string;
const sockets: Socket[] = [];

beforeAll(async () => {
  emulator = await startBreezeEmulator({ appKey: 'stream-key', secretKey: 'stream-secret' });
  sessionToken = await sessionTokenOf(emulator, 'stream-key');
  const decoded = decodeSessionToken(sessionToken)!;
  auth = { user: decoded.userId, token: decoded.sessionKey };
});
afterEach(() => {
  for (const s of sockets.splice(0)) s.disconnect();
});
afterAll(async () => emulator?.stop());

/** A socket.io-client as a Breeze client opens it: WebSocket only, `auth: {user, token}`. */
function connect(url: string, credentials = auth): Socket {
  const socket = io(url, { transports: ['websocket'], auth: credentials, reconnectionDelay: 100, reconnectionDelayMax: 200 });
  sockets.push(socket);
  return socket;
}

function next<T = unknown[]>(socket: Socket, event: string, timeoutMs = 3000): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ${event} within ${timeoutMs} ms`)), timeoutMs);
    socket.once(event, (value: T) => {
      clearTimeout(timer);
      resolve(value);
    });
  });
}

/** Set quotes until the socket receives a tick: `join` has no acknowledgement, so the first one may come before the join landed. */
async function tickAfter(socket: Socket, move: () => void): Promise<unknown[]> {
  const tick = next<unknown[]>(socket, 'stock', 3000);
  const timer = setInterval(move, 100);
  try {
    return await tick;
  } finally {
    clearInterval(timer);
  }
}

const call = (method: 'GET' | 'POST' | 'PUT' | 'DELETE', endpoint: string, body: unknown) => signedCall(emulator, { appKey: 'stream-key', secretKey: 'stream-secret', sessionToken }, method, endpoint, body);

describe('Breeze emulator streaming (Socket.IO)', () => {
  it('authenticates with the user id and decoded session key, and refuses a wrong key with CONNECT_ERROR', async () => {
    const good = connect(emulator.liveStreamUrl);
    await next(good, 'connect');
    const bad = connect(emulator.liveStreamUrl, { user: auth.user, token: 'not-the-key' });
    const error = await next<Error>(bad, 'connect_error');
    expect(error.message).toMatch(/Authentication failed/);
    expect(bad.connected).toBe(false);
  });

  it('sends a 21-element cash tick with a numeric epoch ltt to room 4.1!2885 when the quote changes', async () => {
    const socket = connect(emulator.liveStreamUrl);
    await next(socket, 'connect');
    socket.emit('join', ['4.1!2885']);
    let ltp = 245000;
    const tick = await tickAfter(socket, () => emulator.setQuote(RELIND, { ltpPaise: (ltp += 5), bidPaise: ltp - 5, offerPaise: ltp + 5, upperCircuitPaise: 269500, lowerCircuitPaise: 220500 }));
    expect(tick).toHaveLength(21);
    expect(tick[0]).toBe('4.1!2885');
    expect(tick[2]).toBeTypeOf('number');
    expect(tick[6]).toBeCloseTo((tick[2] as number) - 0.05, 2);
    expect(tick[8]).toBeCloseTo((tick[2] as number) + 0.05, 2);
    expect(tick.slice(17, 19)).toEqual([2205, 2695]);
    expect(Number.isInteger(tick[19])).toBe(true);
    expect(Math.abs((tick[19] as number) - Date.now() / 1000)).toBeLessThan(10);
    expect(tick[15]).toMatch(/C$/);
  });

  it('sends a 23-element F&O tick, and depth of five 8-field levels to X.2 rooms', async () => {
    emulator.setQuote(NIFTY_FUT, { ltpPaise: 2_450_000 });
    const token = emulator.master.entryOf(NIFTY_FUT).token;
    const socket = connect(emulator.liveStreamUrl);
    await next(socket, 'connect');
    socket.emit('join', `4.1!${token}`);
    const tick = await tickAfter(socket, () => emulator.setQuote(NIFTY_FUT, { ltpPaise: 2_450_500 }));
    expect(tick).toHaveLength(23);
    expect(tick[21]).toBeTypeOf('number');
    socket.emit('leave', `4.1!${token}`);
    socket.emit('join', `4.2!${token}`);
    const depth = await tickAfter(socket, () => emulator.setQuote(NIFTY_FUT, { ltpPaise: 2_451_000 }));
    expect(depth[0]).toBe(`4.2!${token}`);
    expect(depth[2]).toHaveLength(5);
    expect((depth[2] as unknown[][])[0]).toHaveLength(8);
  });

  it('pushes order notifications of 47 strings to the user on livefeeds, without a join, and none on livestream', async () => {
    const feeds = connect(emulator.liveFeedsUrl);
    const live = connect(emulator.liveStreamUrl);
    await Promise.all([next(feeds, 'connect'), next(live, 'connect')]);
    const onLive: unknown[] = [];
    live.on('order', (m: unknown) => onLive.push(m));
    const messages: string[][] = [];
    feeds.on('order', (m: string[]) => messages.push(m));
    emulator.setQuote({ exchange: 'NSE', stockCode: 'ITC', product: 'cash' }, { ltpPaise: 45000 });
    const placed = await call('POST', 'order', { stock_code: 'ITC', exchange_code: 'NSE', product: 'cash', action: 'buy', order_type: 'limit', quantity: '2', price: '450.00', validity: 'day', user_remark: 'feed' });
    const orderId = (placed.Success as { order_id: string }).order_id;
    await expect.poll(() => messages.length).toBeGreaterThanOrEqual(2);
    const filled = messages.find((m) => m[11] === '5')!;
    expect(filled).toHaveLength(47);
    expect(filled.every((v) => typeof v === 'string')).toBe(true);
    expect(filled.slice(14, 16)).toEqual(['ITC', 'B']);
    expect(filled[20]).toBe('E');
    expect(filled[23]).toBe(orderId);
    expect(filled[42]).toBe('450.00');
    expect(messages[0]![11]).toBe('4');
    expect(onLive).toEqual([]);
  });

  it('keeps streaming to a client that re-joins after the connection dropped', async () => {
    const socket = connect(emulator.liveStreamUrl);
    socket.on('connect', () => socket.emit('join', ['4.1!2885']));
    await next(socket, 'connect');
    await tickAfter(socket, () => emulator.setQuote(RELIND, { ltpPaise: 246000 }));
    const reconnected = next(socket, 'connect', 5000);
    await emulator.down();
    await emulator.up();
    await reconnected;
    const tick = await tickAfter(socket, () => emulator.setQuote(RELIND, { ltpPaise: 247000 }));
    expect(tick[2]).toBe(2470);
  });
});
