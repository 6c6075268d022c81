/**
 * The launcher's children run in process groups of their own (so a terminal's Ctrl-C reaches only
 * the launcher, which stops them in order). The price: nothing ends them when the launcher ends
 * some other way, a Ctrl-C still during start-up included. This ties a child to the launcher's
 * exit: whenever it exits (short of SIGKILL), the child gets `signal`.
 *
 * @module
 */
import type { ChildProcess } from 'node:child_process';

export function endWithParent(child: ChildProcess, signal: NodeJS.Signals): void {
  const end = () => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
  };
  process.once('exit', end);
  child.once('exit', () => process.off('exit', end));
}
