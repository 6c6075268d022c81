/**
 * CPU profiles of this process while a benchmark phase runs: the main thread (the API, the
 * activities, the Temporal client and worker glue, the load generator) and every worker thread
 * (the Temporal SDK runs the workflow sandbox in worker threads), through the inspector's
 * `NodeWorker` domain, so the workflows' own cost shows too.
 */
import { Session } from 'node:inspector';

export interface ThreadProfile {
  thread: string;
  profile: CpuProfile;
}

/** The V8 `.cpuprofile` shape (Profiler.Profile), as much of it as the summary reads. */
export interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; children?: number[] }[];
  startTime: number;
  endTime: number;
  samples?: number[];
  timeDeltas?: number[];
}

function post<T>(session: Session, method: string, params: object = {}): Promise<T> {
  return new Promise((resolve, reject) => session.post(method, params, (err, result) => (err ? reject(err) : resolve(result as T))));
}

/** Start profiling every thread; `stop()` returns one profile per thread. */
export async function startCpuProfile(): Promise<{ stop(): Promise<ThreadProfile[]> }> {
  const session = new Session();
  session.connect();
  // messages to and from the worker threads' own inspector sessions
  const workers = new Map<string, string>();
  const pending = new Map<string, (result: unknown) => void>();
  let nextId = 1;
  const toWorker = (sessionId: string, method: string, params: object = {}) =>
    new Promise<unknown>((resolve) => {
      const id = nextId++;
      pending.set(`${sessionId}:${id}`, resolve);
      session.post('NodeWorker.sendMessageToWorker', { sessionId, message: JSON.stringify({ id, method, params }) });
    });
  session.on('NodeWorker.attachedToWorker', (m) => {
    const { sessionId, workerInfo } = m.params as { sessionId: string; workerInfo: { title: string; workerId: string } };
    workers.set(sessionId, `${workerInfo.title} #${workerInfo.workerId}`);
  });
  session.on('NodeWorker.receivedMessageFromWorker', (m) => {
    const { sessionId, message } = m.params as { sessionId: string; message: string };
    const parsed = JSON.parse(message) as { id?: number; result?: unknown };
    if (parsed.id === undefined) return;
    pending.get(`${sessionId}:${parsed.id}`)?.(parsed.result);
    pending.delete(`${sessionId}:${parsed.id}`);
  });
  await post(session, 'NodeWorker.enable', { waitForDebuggerOnStart: false });
  // attachedToWorker arrives for the threads already running shortly after enable
  await new Promise((r) => setTimeout(r, 200));
  const attached = [...workers.keys()];
  for (const w of attached) {
    await toWorker(w, 'Profiler.enable');
    await toWorker(w, 'Profiler.start');
  }
  await post(session, 'Profiler.enable');
  await post(session, 'Profiler.start');
  return {
    async stop() {
      const main = await post<{ profile: CpuProfile }>(session, 'Profiler.stop');
      const out: ThreadProfile[] = [{ thread: 'main', profile: main.profile }];
      for (const w of attached) {
        const r = (await toWorker(w, 'Profiler.stop')) as { profile: CpuProfile } | undefined;
        if (r) out.push({ thread: workers.get(w)!, profile: r.profile });
      }
      await post(session, 'NodeWorker.disable').catch(() => {});
      session.disconnect();
      return out;
    },
  };
}
