/**
 * Per-process heartbeats (system gauges) and broker call buckets. Every api and worker process
 * writes its own rows; the evaluator and the JSON metrics read all of them, so an alert about the
 * CPU of one worker fires wherever the evaluator happens to run.
 *
 * @module
 */
import type { Queryable } from './pool.ts';

export interface Heartbeat {
  source: string;
  kind: string;
  host: string;
  pid: number;
  at: Date;
  cpuRatio: number | null;
  memoryRatio: number | null;
  diskFreeRatio: number | null;
  eventLoopLagSeconds: number | null;
}

export async function writeHeartbeat(sql: Queryable, h: Heartbeat): Promise<void> {
  await sql`
    insert into monitor_heartbeats (source, kind, host, pid, at, cpu_ratio, memory_ratio, disk_free_ratio, event_loop_lag_seconds)
    values (${h.source}, ${h.kind}, ${h.host}, ${h.pid}, ${h.at}, ${h.cpuRatio}, ${h.memoryRatio}, ${h.diskFreeRatio}, ${h.eventLoopLagSeconds})
    on conflict (source) do update set at = excluded.at, cpu_ratio = excluded.cpu_ratio, memory_ratio = excluded.memory_ratio,
      disk_free_ratio = excluded.disk_free_ratio, event_loop_lag_seconds = excluded.event_loop_lag_seconds`;
}

/** A process that stops takes its row with it: it leaves the system panel and its alerts at once. */
export async function removeHeartbeat(sql: Queryable, source: string): Promise<void> {
  await sql`delete from monitor_heartbeats where source = ${source}`;
}

/** Heartbeats written since `since` (older ones belong to processes that are gone). */
export async function freshHeartbeats(sql: Queryable, since: Date): Promise<Heartbeat[]> {
  return sql<Heartbeat[]>`
    select source, kind, host, pid, at, cpu_ratio as "cpuRatio", memory_ratio as "memoryRatio",
      disk_free_ratio as "diskFreeRatio", event_loop_lag_seconds as "eventLoopLagSeconds"
    from monitor_heartbeats where at >= ${since} order by source`;
}

export interface BrokerBucketDelta {
  bucket: Date;
  source: string;
  broker: string;
  calls: number;
  errors: number;
  lastSuccessAt: Date | null;
  lastSessionExpiredAt: Date | null;
}

/** Add a process's calls of one minute to its bucket. */
export async function addBrokerCalls(sql: Queryable, d: BrokerBucketDelta): Promise<void> {
  await sql`
    insert into broker_call_buckets (bucket, source, broker, calls, errors, last_success_at, last_session_expired_at)
    values (${d.bucket}, ${d.source}, ${d.broker}, ${d.calls}, ${d.errors}, ${d.lastSuccessAt}, ${d.lastSessionExpiredAt})
    on conflict (bucket, source) do update set
      calls = broker_call_buckets.calls + excluded.calls,
      errors = broker_call_buckets.errors + excluded.errors,
      last_success_at = greatest(broker_call_buckets.last_success_at, excluded.last_success_at),
      last_session_expired_at = greatest(broker_call_buckets.last_session_expired_at, excluded.last_session_expired_at)`;
}

export interface BrokerWindow {
  calls: number;
  errors: number;
  lastSuccessAt: Date | null;
  lastSessionExpiredAt: Date | null;
}

/** Calls and errors of every process since `since`, and the newest success and session expiry ever seen. */
export async function brokerWindow(sql: Queryable, since: Date): Promise<BrokerWindow> {
  const [row] = await sql<BrokerWindow[]>`
    select coalesce(sum(calls) filter (where bucket >= ${since}), 0)::int8 as calls,
      coalesce(sum(errors) filter (where bucket >= ${since}), 0)::int8 as errors,
      max(last_success_at) as "lastSuccessAt", max(last_session_expired_at) as "lastSessionExpiredAt"
    from broker_call_buckets`;
  return row ?? { calls: 0, errors: 0, lastSuccessAt: null, lastSessionExpiredAt: null };
}

/** Drop heartbeats and buckets older than `before`, keeping the newest bucket per source (its times matter). */
export async function pruneMonitoring(sql: Queryable, before: Date): Promise<void> {
  await sql`delete from monitor_heartbeats where at < ${before}`;
  await sql`
    delete from broker_call_buckets b where b.bucket < ${before}
      and b.bucket < (select max(bucket) from broker_call_buckets x where x.source = b.source)`;
}
