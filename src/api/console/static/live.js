// Live updates: GET /events as Server-Sent Events, read with fetch and a stream reader (EventSource
// cannot send the Bearer token). Each event ({id, type, accountId, at, tradeId?, ...}) tells the page
// to redraw; a dropped stream reconnects with Last-Event-ID so nothing is missed. Where the server has
// no /events (404) the page polls every 2 s instead.
import { api } from './api.js';

const POLL_MS = 2000;
const RECONNECT_MS = 1000;

/** Split a text/event-stream into events; returns the unfinished tail. */
export function parseEvents(buffer, onEvent) {
  const blocks = buffer.replace(/\r\n?/g, '\n').split('\n\n');
  const tail = blocks.pop() ?? '';
  for (const block of blocks) {
    const event = { id: undefined, type: 'message', data: [] };
    for (const line of block.split('\n')) {
      if (!line || line.startsWith(':')) continue;
      const colon = line.indexOf(':');
      const field = colon < 0 ? line : line.slice(0, colon);
      const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
      if (field === 'id') event.id = value;
      else if (field === 'event') event.type = value;
      else if (field === 'data') event.data.push(value);
    }
    if (event.data.length || event.id !== undefined) onEvent({ ...event, data: event.data.join('\n') });
  }
  return tail;
}

/**
 * Start following the account's events; `onChange(event | undefined)` runs for every event (and for
 * every poll when falling back). Returns a stop function. `onMode('live' | 'polling')` says which.
 */
export function follow(onChange, onMode = () => {}) {
  let stopped = false;
  let lastEventId = null;
  let poller = null;
  const controller = new AbortController();

  const poll = () => {
    onMode('polling');
    onChange(undefined);
    poller = setInterval(() => onChange(undefined), POLL_MS);
  };

  const connect = async () => {
    while (!stopped) {
      try {
        const headers = { Accept: 'text/event-stream' };
        if (lastEventId) headers['Last-Event-ID'] = lastEventId;
        const res = await api('/events', { headers, signal: controller.signal });
        if (res.status === 404) return poll();
        if (!res.ok || !res.body) throw new Error(`HTTP ${res.status}`);
        onMode('live');
        onChange(undefined); // catch up with whatever happened while not connected
        const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
        let buffer = '';
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          buffer = parseEvents(buffer + value, (e) => {
            if (e.id) lastEventId = e.id;
            let data;
            try {
              data = JSON.parse(e.data);
            } catch {
              data = {};
            }
            onChange({ type: e.type, ...data });
          });
        }
      } catch {
        if (stopped) return;
      }
      if (!stopped) await new Promise((r) => setTimeout(r, RECONNECT_MS));
    }
  };
  void connect();

  return () => {
    stopped = true;
    controller.abort();
    clearInterval(poller);
  };
}
