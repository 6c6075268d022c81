/**
 * The day's report of the caller's account (viewer), mounted at /reports: JSON by default, CSV for
 * `Accept: text/csv`, a readable page with its P&L chart for `Accept: text/html`. Computed on
 * demand from the day's rows (src/db/daily-report.ts), so it is there before the scheduled run too.
 *
 * @module
 */
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import { loadDailyReport } from '../../db/daily-report.ts';
import { isIstDate } from '../../domain/report.ts';
import { type AppEnv, principalOf } from '../context.ts';
import type { AppDeps } from '../deps.ts';
import { jsonObject, problem } from '../schemas/common.ts';
import { validationHook } from '../validation.ts';
import { reportPage } from '../views/report-page.ts';
import { reportCsv, reportJson } from '../views/report.ts';

// The page has no script at all; its only inline part is its stylesheet and the SVG chart.
const PAGE_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

const Day = z
  .string()
  .refine(isIstDate, 'an IST date, YYYY-MM-DD')
  .openapi({ param: { name: 'day', in: 'path' }, description: 'IST date, YYYY-MM-DD', example: '2026-12-04' });

const read = createRoute({
  method: 'get',
  path: '/{day}',
  tags: ['reports'],
  summary: "The day's report: trades, gross and net P&L, charges by kind, win rate, largest loss, limit usage",
  description: 'Amounts in rupees. Gross is the realized price move of the day\'s exit fills; charges are those of every fill of the day; net is gross less charges. `Accept: text/csv` answers CSV, `Accept: text/html` a page with the P&L chart (IST).',
  request: { params: z.object({ day: Day }) },
  responses: {
    200: { ...jsonObject('The report'), content: { 'application/json': jsonObject('').content['application/json'], 'text/csv': { schema: z.string() }, 'text/html': { schema: z.string() } } },
    400: problem('Not an IST date (YYYY-MM-DD)'),
  },
});

export function reportRoutes(deps: Pick<AppDeps, 'sql' | 'config'>) {
  return new OpenAPIHono<AppEnv>({ defaultHook: validationHook }).openapi(read, async (c) => {
    const { day } = c.req.valid('param');
    const report = await loadDailyReport(deps.sql, deps.config, principalOf(c).accountId, day);
    const accept = c.req.header('Accept') ?? '';
    if (accept.includes('text/csv')) {
      return c.body(reportCsv(report), 200, { 'Content-Type': 'text/csv; charset=utf-8', 'Content-Disposition': `attachment; filename="report-${day}.csv"` }) as never;
    }
    if (accept.includes('text/html')) {
      c.header('Content-Security-Policy', PAGE_CSP);
      return c.html(reportPage(report), 200) as never;
    }
    return c.json(reportJson(report), 200);
  });
}
