import { afterEach, describe, expect, it, vi } from 'vitest';

// The console's live-update reader (a browser ES module, not part of the TypeScript build).
interface LiveEvent {
  type: string;
  id?: string;
  [key: string]: unknown;
}
interface LiveModule {
  parseEvents(buffer: string, onEvent: (e: { id?: string; type: string; data: string }) => void): string;
  follow(onChange: (e: LiveEvent | undefined) => void, onMode?: (m: string) => void): () => void;
}
const modulePath = '../../src/api/console/static/live.js';
const live = async () => (await import(/* @vite-ignore */ modulePath)) as LiveModule;

const stream = (text: string) =>
  new Response(new Blob([text]).stream(), { status: 200, headers: { 'Content-Type': 'text/event-stream' } });

afterEach(() => {
  vi.unstubAllGlobals();
});

describe('the console reading GET /events', () => {
  it('splits a text/event-stream into events and keeps an unfinished one for the next chunk', async () => {
    const { parseEvents } = await live();
    const seen: { id?: string; type: string; data: string }[] = [];
    const tail = parseEvents(': keep-alive\r\n\r\nid: 7\r\nevent: fill\r\ndata: {"a":1,\r\ndata: "b":2}\r\n\r\nid: 8\nevent: tr', (e) => seen.push(e));
    expect(seen).toEqual([{ id: '7', type: 'fill', data: '{"a":1,\n"b":2}' }]);
    expect(tail).toBe('id: 8\nevent: tr');
  });

  it('hands on each event, and reconnects with Last-Event-ID after the stream drops', async () => {
    const calls: (string | null)[] = [];
    vi.stubGlobal('fetch', (_path: string, init: { headers: Record<string, string> }) => {
      calls.push(init.headers['Last-Event-ID'] ?? null);
      if (calls.length === 1) return Promise.resolve(stream('id: e1\nevent: trade\ndata: {"tradeId":"t1","type":"trade"}\n\nid: e2\nevent: fill\ndata: {"tradeId":"t1","type":"fill"}\n\n'));
      return new Promise(() => {}); // the second connection stays open
    });
    const { follow } = await live();
    const events: LiveEvent[] = [];
    const modes: string[] = [];
    const stop = follow((e) => e && events.push(e), (m) => modes.push(m));
    await vi.waitFor(() => expect(calls).toEqual([null, 'e2']), { timeout: 5000 });
    stop();
    expect(events.map((e) => [e.type, e.tradeId])).toEqual([['trade', 't1'], ['fill', 't1']]);
    expect(modes[0]).toBe('live');
  });

  it('polls instead where the server has no /events', async () => {
    vi.stubGlobal('fetch', () => Promise.resolve(new Response('{}', { status: 404 })));
    const { follow } = await live();
    let redraws = 0;
    const modes: string[] = [];
    const stop = follow(() => (redraws += 1), (m) => modes.push(m));
    await vi.waitFor(() => expect(redraws).toBeGreaterThanOrEqual(2), { timeout: 6000 });
    stop();
    expect(modes).toEqual(['polling']);
  });
});
