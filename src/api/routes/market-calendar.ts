/**
 * The exchange calendar of a year: read it (viewer), and load it from the exchange's published
 * file (admin, audited with the year and the digest of what was loaded). A year without a loaded
 * calendar refuses live orders (MARKET_CALENDAR_MISSING); docs/indian-market.md#the-calendar-as-data.
 *
 * @module
 */
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import { calendarOfYear } from '../../db/market-calendars.ts';
import { actorOf } from '../../security/principal.ts';
import { type AppEnv, principalOf, requestFacts } from '../context.ts';
import type { AppDeps } from '../deps.ts';
import { CALENDAR_EXCHANGES, loadMarketCalendar } from '../services/market-calendar.ts';
import { validationHook } from '../validation.ts';

const Year = z.coerce.number().int().min(2000).max(2100);
const Day = z.object({ exchange: z.string(), day: z.string(), description: z.string() });
const Session = Day.extend({ opens: z.string().openapi({ description: 'IST, HH:MM' }), closes: z.string().openapi({ description: 'IST, HH:MM' }) });
const Calendar = z
  .object({
    year: z.number().int(),
    loaded: z.array(z.enum(CALENDAR_EXCHANGES)).openapi({ description: 'Exchanges whose calendar of the year is loaded; live orders on the others are refused (MARKET_CALENDAR_MISSING)' }),
    loads: z.array(z.object({ exchange: z.string(), source: z.string(), digest: z.string().nullable(), loadedBy: z.string(), loadedAt: z.string() })),
    holidays: z.array(Day),
    specialSessions: z.array(Session),
  })
  .openapi('MarketCalendar');

const read = createRoute({
  method: 'get',
  path: '/calendar',
  tags: ['market'],
  summary: 'The exchange calendar of a year',
  request: { query: z.object({ year: Year }) },
  responses: { 200: { description: 'The year as loaded (empty lists and no loads when it is not)', content: { 'application/json': { schema: Calendar } } } },
});

const NseFile = z
  .record(z.string(), z.unknown())
  .openapi({
    description:
      "NSE's holiday list as https://www.nseindia.com/api/holiday-master?type=trading serves it: segments (CM, FO, ...) of { tradingDate: '26-Jan-2026', weekDay, description }. CM is the cash list F&O follows. Special sessions (Muhurat) go under specialSessions: [{ tradingDate, opens, closes, description }] with the circular's IST times.",
    example: { CM: [{ Sr_no: 1, tradingDate: '26-Jan-2026', weekDay: 'Monday', description: 'Republic Day' }] },
  });

const load = createRoute({
  method: 'put',
  path: '/calendar/{year}',
  tags: ['market'],
  summary: "Load a year's exchange calendar from the exchange's published file",
  request: {
    params: z.object({ year: Year.openapi({ param: { name: 'year', in: 'path' } }) }),
    query: z.object({ exchange: z.enum(CALENDAR_EXCHANGES).optional().openapi({ description: 'Load for this exchange only; both NSE and BSE when absent (BSE follows NSE\'s list)' }) }),
    body: { content: { 'application/json': { schema: NseFile } }, required: true },
  },
  responses: {
    200: { description: 'The year as loaded now', content: { 'application/json': { schema: Calendar.extend({ digest: z.string() }) } } },
    400: { description: 'The file was refused (every problem listed); nothing changed' },
  },
});

async function view(sql: AppDeps['sql'], year: number) {
  const c = await calendarOfYear(sql, year);
  return {
    year,
    loaded: CALENDAR_EXCHANGES.filter((e) => c.loads.some((l) => l.exchange === e)),
    loads: c.loads.map((l) => ({ exchange: l.exchange, source: l.source, digest: l.digest, loadedBy: l.loadedBy, loadedAt: l.loadedAt.toISOString() })),
    holidays: c.holidays,
    specialSessions: c.specialSessions,
  };
}

export function marketCalendarRoutes({ sql, audit }: Pick<AppDeps, 'sql' | 'audit'>) {
  return new OpenAPIHono<AppEnv>({ defaultHook: validationHook })
    .openapi(read, async (c) => c.json(await view(sql, c.req.valid('query').year), 200))
    .openapi(load, async (c) => {
      const principal = principalOf(c);
      const { year } = c.req.valid('param');
      const { exchange } = c.req.valid('query');
      const result = await loadMarketCalendar(sql, audit, {
        year,
        document: c.req.valid('json'),
        exchanges: exchange ? [exchange] : CALENDAR_EXCHANGES,
        source: `PUT /market/calendar/${year}`,
        actor: actorOf(principal),
        accountId: principal.accountId,
        ...requestFacts(c),
      });
      return c.json({ ...(await view(sql, year)), digest: result.digest }, 200);
    });
}
