/**
 * Racing work against a workflow condition: when the condition wins, the work (an activity or a
 * timer) is cancelled instead of being left to finish.
 *
 * @module
 */
import { CancellationScope, condition, isCancellation } from '@temporalio/workflow';

/**
 * Run `work` until it finishes or `interrupt()` turns true; on interruption the work is cancelled
 * and `undefined` is returned.
 */
export async function untilInterrupted<T>(work: () => Promise<T>, interrupt: () => boolean): Promise<T | undefined> {
  if (interrupt()) return undefined;
  const workScope = new CancellationScope();
  const waitScope = new CancellationScope();
  const done = workScope.run(work);
  const interrupted = waitScope.run(() => condition(interrupt)).then(
    () => 'interrupted' as const,
    (err: unknown) => {
      if (isCancellation(err)) return 'cancelled' as const;
      throw err;
    },
  );
  const first = await Promise.race([done.then((value) => ({ value })), interrupted]);
  if (first === 'interrupted') {
    workScope.cancel();
    await done.catch(() => undefined);
    return undefined;
  }
  waitScope.cancel();
  return typeof first === 'object' ? first.value : undefined;
}
