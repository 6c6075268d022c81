/**
 * Requests that want the same read at the same time share it, without ever getting an answer
 * older than themselves. A caller that arrives while a read for its key is running does not join
 * that read (it started before the caller arrived, so it may miss a write the caller just made);
 * it waits for the next one, which starts as soon as the running one ends and serves everybody
 * who arrived in the meantime. So a key has at most one read running and one waiting, however
 * many callers poll it: fifty consoles and algos polling an account's risk status cost about one
 * read of its book at a time, not fifty (bench/security.ts).
 *
 * @module
 */

interface Flight<T> {
  running: Promise<T>;
  /** The read that starts when `running` ends, shared by every caller that arrived after it began. */
  next?: Promise<T>;
}

export type SharedRead<T> = (key: string, read: () => Promise<T>) => Promise<T>;

/**
 * @example
 * const status = sharedReads<RiskStatus>();
 * app.get('/risk/status', async (c) => c.json(await status(accountId, () => readRiskStatus(accountId))));
 */
export function sharedReads<T>(): SharedRead<T> {
  const flights = new Map<string, Flight<T>>();
  const start = (key: string, read: () => Promise<T>): Promise<T> => {
    const running = read().finally(() => {
      const flight = flights.get(key);
      // With a read waiting, the entry stays: that read replaces it as soon as it starts.
      if (flight?.running === running && !flight.next) flights.delete(key);
    });
    flights.set(key, { running });
    return running;
  };
  return (key, read) => {
    const flight = flights.get(key);
    if (!flight) return start(key, read);
    const ended = () => undefined;
    flight.next ??= flight.running.then(ended, ended).then(() => start(key, read));
    return flight.next;
  };
}
