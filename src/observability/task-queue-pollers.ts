/**
 * Who polls a task queue, from Temporal's DescribeTaskQueue: a worker that stopped polling (dead,
 * hung, partitioned) leaves its task queue with fewer pollers long before anything else notices.
 * Pollers seen within the last minutes are listed (the server's own window). A monitoring read
 * (./snapshot.ts, for the API's gauges and the worker's alert evaluation): it asks the Temporal
 * service about a queue and knows nothing of this system's workflows, so it lives here and not
 * with the client code that starts and signals them (src/temporal).
 *
 * @module
 */
import type { Client } from '@temporalio/client';

/** temporal.api.enums.v1: TASK_QUEUE_KIND_NORMAL, TASK_QUEUE_TYPE_WORKFLOW / _ACTIVITY. */
const KIND_NORMAL = 1;
const TYPE_WORKFLOW = 1;
const TYPE_ACTIVITY = 2;

export interface Pollers {
  workflow: number;
  activity: number;
}

/**
 * Workers polling `taskQueue`, by kind. With `seenWithinMs`, only pollers whose last poll began
 * that recently count: the server lists a poller for minutes after it went away, while a live
 * worker starts a new long poll at least once a minute (docs/temporal-notes.md).
 */
export async function taskQueuePollers(client: Client, taskQueue: string, timeoutMs = 3000, seenWithinMs?: number): Promise<Pollers> {
  const since = seenWithinMs === undefined ? undefined : Date.now() - seenWithinMs;
  const describe = async (taskQueueType: typeof TYPE_WORKFLOW | typeof TYPE_ACTIVITY) => {
    const response = await client.connection.withDeadline(Date.now() + timeoutMs, () =>
      client.workflowService.describeTaskQueue({ namespace: client.options.namespace, taskQueue: { name: taskQueue, kind: KIND_NORMAL }, taskQueueType }),
    );
    // One poller per worker identity (a worker may hold several concurrent polls).
    const recent = (response.pollers ?? []).filter((p) => since === undefined || polledAt(p.lastAccessTime) >= since);
    return new Set(recent.map((p) => p.identity ?? '')).size;
  };
  const [workflow, activity] = await Promise.all([describe(TYPE_WORKFLOW), describe(TYPE_ACTIVITY)]);
  return { workflow, activity };
}

/** A protobuf Timestamp as epoch milliseconds (0 when absent). */
function polledAt(at: { seconds?: unknown; nanos?: number | null } | null | undefined): number {
  if (!at) return 0;
  return Number(at.seconds ?? 0) * 1000 + Math.floor((at.nanos ?? 0) / 1e6);
}
