/**
 * Failpoints: named places where a test can make this process die at once (SIGKILL), to prove that
 * a crash at that exact step loses and duplicates nothing. Off unless FAILPOINTS names them; the
 * crash test starts a worker with one failpoint, then restarts it without.
 *
 * @module
 */
export type FailpointName = 'after-reservation' | 'after-broker-accept' | 'before-fill-recorded' | 'during-exit';

let armed = new Set<string>();

export function armFailpoints(names: readonly string[]): void {
  armed = new Set(names);
}

/** Die here when armed. */
export function failpoint(name: FailpointName): void {
  if (!armed.has(name)) return;
  process.stderr.write(`failpoint ${name}: killing process ${process.pid}\n`);
  process.kill(process.pid, 'SIGKILL');
}
