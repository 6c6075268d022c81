/**
 * What GET /health/ready reports and what the request deadline consults: the state of each part
 * the API depends on (PostgreSQL, Temporal, a worker polling the task queue, Redis when configured,
 * the Breeze session when trading live). Each part has its own cached probe (./probe.ts), so a
 * frozen part makes its own report "failed" within the wait and never slows the others.
 *
 * @module
 */
import type { Client, Connection } from '@temporalio/client';
import type { Config } from '../../config.ts';
import { loadBreezeSession } from '../../db/breeze-sessions.ts';
import type { Sql } from '../../db/pool.ts';
import { istParts } from '../../domain/market-calendar.ts';
import { taskQueuePollers } from '../../observability/task-queue-pollers.ts';
import type { RateLimiter } from '../../security/rate-limit.ts';
import { cachedProbe, type PartReport, type Probe, withinMs } from './probe.ts';

export const PARTS = ['postgres', 'temporal', 'worker', 'redis', 'broker'] as const;
export type Part = (typeof PARTS)[number];

export interface Readiness {
  ready: boolean;
  checks: Partial<Record<Part, PartReport>>;
}

export interface ReadinessMonitor {
  /** Every part that applies, each within `waitMs`. */
  report(waitMs: number): Promise<Readiness>;
  /** One part (`undefined` when it does not apply here, e.g. Redis without REDIS_URL). */
  part(name: Part, waitMs: number): Promise<PartReport | undefined>;
}

export interface MonitorDeps {
  config: Config;
  sql: Sql;
  temporal: Client;
  rateLimiter: Pick<RateLimiter, 'ping'>;
}

/** How long a found state is reused before a probe asks again. */
const FRESH_MS = 1000;
/** The deadline of each check's own call (its cached answer is read with a shorter wait). */
const CHECK_DEADLINE_MS = 2000;
/** A live worker begins a long poll at least once a minute; older pollers are gone (docs/temporal-notes.md). */
const POLLER_SEEN_WITHIN_MS = 75_000;

export function createReadinessMonitor(deps: MonitorDeps): ReadinessMonitor {
  const { config, sql, temporal } = deps;
  const probes: Partial<Record<Part, Probe>> = {
    postgres: cachedProbe(async () => {
      await withinMs(CHECK_DEADLINE_MS, sql`select 1`.then(() => undefined));
      return undefined;
    }, FRESH_MS),
    temporal: cachedProbe(async () => {
      const connection = temporal.connection as Connection;
      await connection.withDeadline(Date.now() + CHECK_DEADLINE_MS, () => connection.healthService.check({}));
      return undefined;
    }, FRESH_MS),
    worker: cachedProbe(async () => {
      const queue = config.temporal.TEMPORAL_TASK_QUEUE;
      const pollers = await taskQueuePollers(temporal, queue, CHECK_DEADLINE_MS, POLLER_SEEN_WITHIN_MS);
      if (!pollers.workflow || !pollers.activity) throw new Error(`no worker polling task queue ${queue} (workflow pollers ${pollers.workflow}, activity pollers ${pollers.activity})`);
      return `${Math.min(pollers.workflow, pollers.activity)} worker(s) polling ${queue}`;
    }, FRESH_MS),
  };
  const ping = deps.rateLimiter.ping;
  if (ping) {
    probes.redis = cachedProbe(async () => {
      await withinMs(CHECK_DEADLINE_MS, ping());
      return undefined;
    }, FRESH_MS);
  }
  if (config.broker.BROKER === 'breeze') {
    probes.broker = cachedProbe(async () => {
      const day = istParts(new Date()).date;
      const session = await withinMs(CHECK_DEADLINE_MS, loadBreezeSession(sql, day));
      if (!session) throw new Error(`no live Breeze session for ${day}: set today's session (POST /broker/session or npm run breeze:session)`);
      return `Breeze session of ${day} stored`;
    }, FRESH_MS);
  }
  const part: ReadinessMonitor['part'] = async (name, waitMs) => probes[name]?.read(waitMs);
  return {
    part,
    async report(waitMs) {
      const entries = await Promise.all(PARTS.filter((p) => probes[p]).map(async (p) => [p, (await part(p, waitMs))!] as const));
      const checks = Object.fromEntries(entries) as Readiness['checks'];
      return { ready: entries.every(([, r]) => r.state === 'ok'), checks };
    },
  };
}
