/**
 * Monitoring for people and the console: the metrics snapshot as JSON, current and recent alerts,
 * and the day's P&L samples against the daily loss limit.
 *
 * @module
 */
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import { currentAlerts, recentAlertEvents } from '../../db/alerts.ts';
import { pnlSamplesSince } from '../../db/pnl-samples.ts';
import { istDayStart } from '../../domain/market-calendar.ts';
import { paiseToRupees } from '../../domain/money.ts';
import { snapshotSamples } from '../../observability/samples.ts';
import { type AppEnv, principalOf } from '../context.ts';
import type { AppDeps } from '../deps.ts';
import { validationHook } from '../validation.ts';
import { jsonObject } from '../schemas/common.ts';


const metrics = createRoute({ method: 'get', path: '/metrics', tags: ['monitoring'], summary: 'System and trading metrics as JSON (the same numbers as GET /metrics)', responses: { 200: jsonObject('Snapshot') } });
const alerts = createRoute({
  method: 'get',
  path: '/alerts',
  tags: ['monitoring'],
  summary: 'Alerts pending or firing now, and the recent notifications with their deliveries',
  request: { query: z.object({ limit: z.coerce.number().int().min(1).max(500).default(50) }) },
  responses: { 200: jsonObject('Alerts') },
});
const pnl = createRoute({ method: 'get', path: '/pnl', tags: ['monitoring'], summary: "Today's P&L samples of the caller's account, with the daily loss limit", responses: { 200: jsonObject('P&L samples') } });

const iso = (d: Date | null) => (d ? d.toISOString() : null);

export function monitoringRoutes(deps: Pick<AppDeps, 'sql' | 'monitoring'>) {
  const { sql } = deps;
  return new OpenAPIHono<AppEnv>({ defaultHook: validationHook })
    .openapi(metrics, async (c) => {
      const snapshot = await deps.monitoring.snapshot();
      return c.json({ ...snapshot, samples: snapshotSamples(snapshot) }, 200);
    })
    .openapi(alerts, async (c) => {
      const [current, recent] = await Promise.all([currentAlerts(sql), recentAlertEvents(sql, c.req.valid('query').limit)]);
      return c.json(
        {
          current: current.map((a) => ({ ...a, activeSince: iso(a.activeSince), firedAt: iso(a.firedAt) })),
          recent: recent.map((e) => ({ ...e, occurredAt: e.occurredAt.toISOString(), dispatchedAt: iso(e.dispatchedAt) })),
        },
        200,
      );
    })
    .openapi(pnl, async (c) => {
      const accountId = principalOf(c).accountId;
      const now = new Date();
      const [samples, snapshot] = await Promise.all([pnlSamplesSince(sql, accountId, istDayStart(now)), deps.monitoring.snapshot()]);
      const account = snapshot.accounts.find((a) => a.accountId === accountId);
      const points = samples.map((s) => {
        const realized = paiseToRupees(s.realizedPaise);
        const unrealized = paiseToRupees(s.unrealizedPaise);
        return { at: s.at.toISOString(), realized, unrealized, total: Math.round((realized + unrealized) * 100) / 100 };
      });
      // The chart ends at the present even between two evaluator samples.
      if (account) {
        const total = Math.round((account.realized.net + account.unrealized.gross) * 100) / 100;
        points.push({ at: snapshot.generatedAt, realized: account.realized.net, unrealized: account.unrealized.gross, total });
      }
      return c.json({ accountId, dayStart: istDayStart(now).toISOString(), dailyLossLimit: account?.dailyLoss.limit ?? null, samples: points }, 200);
    });
}
