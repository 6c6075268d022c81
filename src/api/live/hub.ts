/**
 * The API process's one listener on channel `events` (docs/live-events.md): each notification
 * names an event row committed by any process; the hub reads it once and hands it to every
 * subscriber of its account (and system-wide rows to all). Notifications come in commit order and
 * only for committed rows. A notification missed while the listening connection was down is not
 * resent (docs/live-events.md), so after a reconnect the hub re-reads the rows after the newest
 * one it handed out.
 *
 * @module
 */
import { type EventRow, eventsAfter, eventsById, lastEventId } from '../../db/events.ts';
import type { Sql } from '../../db/pool.ts';

type Subscriber = { accountId: string; deliver: (row: EventRow) => void };

export interface EventHub {
  /** Receive the account's events from now on; returns the unsubscribe. Starts listening on first use. */
  subscribe(accountId: string, deliver: (row: EventRow) => void): Promise<() => void>;
}

export function eventHub(sql: Sql, onError: (err: unknown) => void = () => {}): EventHub {
  const subscribers = new Set<Subscriber>();
  let listening: Promise<void> | undefined;
  let newest = '0';
  let pending: string[] = [];
  let reading: Promise<void> = Promise.resolve();
  let connections = 0;

  const fanOut = (rows: EventRow[]) => {
    for (const row of rows) {
      if (BigInt(row.id) > BigInt(newest)) newest = row.id;
      for (const s of subscribers) if (row.accountId === null || row.accountId === s.accountId) s.deliver(row);
    }
  };
  // Reads are chained so rows go out in the order their notifications came.
  const read = (load: () => Promise<EventRow[]>) => {
    reading = reading.then(load).then(fanOut, onError);
  };

  const listen = async () => {
    newest = await lastEventId(sql);
    await sql.listen(
      'events',
      (payload) => {
        if (!/^\d+$/.test(payload)) return;
        pending.push(payload);
        if (pending.length === 1) {
          queueMicrotask(() => {
            const ids = pending;
            pending = [];
            read(() => eventsById(sql, ids));
          });
        }
      },
      () => {
        // Every (re)connect: after the first, read what was committed while nobody listened.
        if (connections++ > 0) read(() => eventsAfter(sql, newest));
      },
    );
  };

  return {
    async subscribe(accountId, deliver) {
      listening ??= listen().catch((err: unknown) => {
        listening = undefined;
        throw err;
      });
      await listening;
      const s = { accountId, deliver };
      subscribers.add(s);
      return () => subscribers.delete(s);
    },
  };
}
