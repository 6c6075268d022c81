/**
 * The latency floor of the trading benchmark: update-with-start of a workflow whose update runs
 * one no-op activity. Everything a trade entry does beyond this is the system's own cost.
 */
import { condition, defineUpdate, proxyActivities, setHandler } from '@temporalio/workflow';

export const enterFloor = defineUpdate<string>('enterFloor');

const { noop } = proxyActivities<{ noop(): Promise<void> }>({ startToCloseTimeout: '10 seconds' });

export async function floorWorkflow(): Promise<void> {
  let done = false;
  setHandler(enterFloor, async () => {
    await noop();
    done = true;
    return 'ok';
  });
  await condition(() => done);
}
