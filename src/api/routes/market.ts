/**
 * Exchange holidays, kept as data: operators load each year's list from the exchange's circular
 * (and its ad-hoc closures). Changes are audited as configuration changes. Replacing a year here
 * also marks it loaded; the exchange's own file goes through PUT /market/calendar/{year}.
 *
 * @module
 */
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import { markYearLoaded } from '../../db/market-calendars.ts';
import { listHolidays, replaceHolidays } from '../../db/market-holidays.ts';
import { transaction } from '../../db/transaction.ts';
import { actorOf } from '../../security/principal.ts';
import { type AppEnv, principalOf, requestFacts } from '../context.ts';
import type { AppDeps } from '../deps.ts';
import { validationHook } from '../validation.ts';

const Holiday = z.object({ exchange: z.string(), day: z.string(), description: z.string() }).openapi('Holiday');

const list = createRoute({
  method: 'get',
  path: '/holidays',
  tags: ['market'],
  summary: 'Exchange holidays',
  request: { query: z.object({ year: z.coerce.number().int().min(2000).max(2100).optional() }) },
  responses: { 200: { description: 'Holidays', content: { 'application/json': { schema: z.object({ holidays: z.array(Holiday) }) } } } },
});

const replace = createRoute({
  method: 'put',
  path: '/holidays/{exchange}/{year}',
  tags: ['market'],
  summary: 'Replace the holidays of one exchange for one year',
  request: {
    params: z.object({ exchange: z.enum(['NSE', 'BSE']).openapi({ param: { name: 'exchange', in: 'path' } }), year: z.coerce.number().int().min(2000).max(2100).openapi({ param: { name: 'year', in: 'path' } }) }),
    body: {
      content: { 'application/json': { schema: z.object({ days: z.array(z.object({ day: z.string().regex(/^\d{4}-\d{2}-\d{2}$/), description: z.string().min(1).max(200) }).strict()).max(60) }).strict() } },
      required: true,
    },
  },
  responses: { 200: { description: 'The holidays of that year now', content: { 'application/json': { schema: z.object({ holidays: z.array(Holiday) }) } } } },
});

export function marketRoutes({ sql, audit }: Pick<AppDeps, 'sql' | 'audit'>) {
  return new OpenAPIHono<AppEnv>({ defaultHook: validationHook })
    .openapi(list, async (c) => c.json({ holidays: await listHolidays(sql, c.req.valid('query').year) }, 200))
    .openapi(replace, async (c) => {
      const principal = principalOf(c);
      const { exchange, year } = c.req.valid('param');
      const days = c.req.valid('json').days.filter((d) => d.day.startsWith(`${year}-`));
      await transaction(sql, async (tx) => {
        const old = (await listHolidays(tx, year)).filter((h) => h.exchange === exchange).map((h) => h.day);
        await replaceHolidays(tx, exchange, year, days);
        // The admin gave the year's list: the year counts as loaded (PUT /market/calendar/{year} takes the exchange's file).
        await markYearLoaded(tx, exchange, year, { source: `PUT /market/holidays/${exchange}/${year}`, loadedBy: `${actorOf(principal).type}:${actorOf(principal).id}` });
        await audit.append(tx, {
          type: 'CONFIG_CHANGED',
          actor: actorOf(principal),
          accountId: principal.accountId,
          ...requestFacts(c),
          payload: { setting: 'market_holidays', exchange, year, old, new: days.map((d) => d.day) },
        });
      });
      return c.json({ holidays: (await listHolidays(sql, year)).filter((h) => h.exchange === exchange) }, 200);
    });
}
